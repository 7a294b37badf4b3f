// Draws each connection as a ladder (client | chaos | server) from /events (server-sent events, one JSON object per
// event with the ladder row it makes). Faults are highlighted; kernel TCP states are shown as labels on their lane,
// each time a leg's state changes.
"use strict";
const MAX_SHOWN = 12;
const connections = new Map();
const main = document.getElementById("connections");
const status = document.getElementById("status");
const token = new URLSearchParams(location.search).get("token");

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function card(ev) {
  const key = ev.proxy + "#" + ev.connection;
  let c = connections.get(key);
  if (c) return c;
  const root = el("section", "connection");
  root.dataset.connection = key;
  const h2 = el("h2");
  const title = el("span", "title", ev.proxy + " #" + ev.connection);
  const end = el("span", "end", "open");
  h2.append(title, end);
  const heads = el("div", "heads");
  const left = el("div"), right = el("div");
  left.append(el("span", "", "client"), el("span", "", "chaos"));
  right.append(el("span"), el("span", "", "server"));
  heads.append(el("div", "", "ms"), left, right);
  root.append(h2, heads);
  c = { root, title, end, origin: null, faulted: false, states: {} };
  connections.set(key, c);
  document.getElementById("empty")?.remove();
  main.prepend(root);
  while (main.children.length > MAX_SHOWN) {
    const last = main.lastElementChild;
    connections.delete(last.dataset.connection);
    last.remove();
  }
  return c;
}

function arrow(step) {
  const rightwards = step.from === "client" || (step.from === "chaos" && step.to === "server");
  const a = el("div", "arrow " + (rightwards ? "right" : "left") + (step.kind === "reset" ? " reset" : step.kind === "failed" ? " failed" : ""));
  a.append(el("span", "label", step.text));
  return a;
}

function row(c, ev) {
  const step = ev.step;
  const t = c.origin === null ? 0 : (Date.parse(ev.time) - c.origin);
  const r = el("div", "row step-" + step.kind);
  const segA = el("div", "seg a"), segB = el("div", "seg b");
  let note = "";
  if (step.kind === "fault") {
    note = "⚡ " + step.text;
    c.faulted = true;
    c.root.classList.add("faulted");
    if (!c.root.querySelector(".badge")) c.title.after(el("span", "badge", "FAULT"));
  } else if (step.kind === "note") {
    const stateMatch = /^(client|server) leg: (.*)$/.exec(step.text);
    if (stateMatch && c.states[stateMatch[1]] === stateMatch[2]) return; // a class reads the changes, not the repeats
    if (stateMatch) {
      c.states[stateMatch[1]] = stateMatch[2];
      const pill = el("span", "pill " + stateMatch[1], stateMatch[2]);
      (stateMatch[1] === "client" ? segA : segB).append(pill);
    } else {
      note = step.text;
    }
  } else {
    const onA = step.from === "client" || step.to === "client";
    (onA ? segA : segB).append(arrow(step));
    if (step.detail) note = step.detail;
  }
  r.append(el("div", "t", t.toFixed(0)), segA, segB, el("div", "note", note));
  c.root.append(r);
}

function onEvent(ev) {
  if (ev.connection === 0) {
    if (ev.event === "toxic") {
      const banner = el("div", "fault-banner", "⚡ listener " + ev.proxy + ": toxic " + ev.toxic + " (" + ev.type + "): " + ev.decision);
      const listener = document.getElementById("listener");
      listener.prepend(banner);
      while (listener.children.length > 3) listener.lastElementChild.remove();
    }
    return;
  }
  const c = card(ev);
  if (ev.event === "accepted") {
    c.origin = Date.parse(ev.time);
    c.title.textContent = ev.proxy + " #" + ev.connection + "  from " + ev.client;
  }
  if (ev.event === "closed") c.end.textContent = "closed: " + ev.reason + " after " + Math.round(ev.duration_ms) + " ms";
  if (ev.step) row(c, ev);
}

function connect() {
  const source = new EventSource("events" + (token ? "?token=" + encodeURIComponent(token) : ""));
  source.onopen = () => { document.body.dataset.live = "yes"; status.textContent = "live"; };
  source.onerror = () => { document.body.dataset.live = "no"; status.textContent = "reconnecting…"; };
  source.onmessage = (m) => onEvent(JSON.parse(m.data));
  const kinds = ["accepted", "upstream_connected", "upstream_failed", "first_byte", "fin_received", "fin_sent", "rst_received",
    "rst_sent", "toxic", "toxic_released", "wrote_after_fin", "tcp_state", "closed"];
  for (const kind of kinds) source.addEventListener(kind, (m) => onEvent(JSON.parse(m.data)));
}

connect();
