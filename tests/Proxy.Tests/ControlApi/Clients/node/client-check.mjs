// Drives a Toxiproxy-compatible server with npm's toxiproxy-node-client, through its public API only, as its users do.
// Usage: node client-check.mjs <api-url> <upstream host:port>
// Prints one JSON summary on stdout; exits 1 (with {"ok": false, "step", "error"}) on the first failure.
// With KEEP=1 in the environment it stops after adding the latency toxic (the proxy stays up for traffic) and
// prints the summary so far; the caller then runs it again with FINISH=1 to do the rest.
import { Toxiproxy } from "toxiproxy-node-client";

const [api, upstream] = process.argv.slice(2);
if (!api || !upstream) {
  console.error("usage: node client-check.mjs <api-url> <upstream host:port>");
  process.exit(2);
}
const host = api.replace(/\/+$/, ""); // the client appends "/proxies" etc. to the text as given
const toxiproxy = new Toxiproxy(host);
const summary = { ok: false, client: "toxiproxy-node-client" };
let step = "start";

function check(condition, what) {
  if (!condition) {
    throw new Error(`check failed: ${what}`);
  }
}

async function run() {
  const finish = process.env.FINISH === "1";
  const name = "node_client_check";
  let proxy;
  if (!finish) {
    step = "getVersion";
    const versionText = await toxiproxy.getVersion();
    summary.version = JSON.parse(versionText).version;
    check(typeof summary.version === "string" && summary.version.length > 0, `version text ${versionText}`);

    step = "createProxy";
    proxy = await toxiproxy.createProxy({ name, listen: "127.0.0.1:0", upstream });
    summary.created = proxy.toJson();
    check(proxy.name === name && proxy.upstream === upstream && proxy.enabled === true, "created proxy fields");
    check(/^127\.0\.0\.1:\d+$/.test(proxy.listen) && !proxy.listen.endsWith(":0"), `bound listen ${proxy.listen}`);

    step = "getAll";
    const all = await toxiproxy.getAll();
    summary.listed = Object.keys(all);
    check(all[name] && all[name].listen === proxy.listen, "proxy listed with its bound address");

    step = "addToxic latency";
    const latency = await proxy.addToxic({
      name: "lag", type: "latency", stream: "downstream", toxicity: 1, attributes: { latency: 200, jitter: 0 },
    });
    summary.latency = latency.toJson();
    check(latency.name === "lag" && latency.type === "latency" && latency.attributes.latency === 200, "latency toxic");
    if (process.env.KEEP === "1") {
      summary.ok = true;
      return;
    }
  } else {
    step = "get";
    proxy = await toxiproxy.get(name);
  }

  step = "addToxic accept_reset";
  // The typings list Toxiproxy's eight types only; the JavaScript passes any type through, so a Chaos type works.
  const extra = await proxy.addToxic({ name: "refuse", type: "accept_reset", stream: "downstream", toxicity: 0.5, attributes: {} });
  summary.extra = extra.toJson();
  check(extra.type === "accept_reset" && extra.toxicity === 0.5, "accept_reset toxic");

  step = "Toxic.update";
  const lag = await proxy.getToxic("lag");
  const updated = await lag.update({ ...lag.toJson(), attributes: { latency: 50, jitter: 5 } });
  summary.updated = updated.toJson();
  check(updated.attributes.latency === 50 && updated.attributes.jitter === 5, "updated attributes");

  step = "getToxic";
  const readBack = await proxy.getToxic("lag");
  summary.readBack = readBack.toJson();
  check(readBack.attributes.latency === 50 && readBack.stream === "downstream" && readBack.toxicity === 1, "read back");

  step = "Toxic.remove";
  await readBack.remove();
  let gone = false;
  try {
    await proxy.getToxic("lag");
  } catch (e) {
    gone = /status code 404/.test(e.message);
    summary.removedLookup = e.message;
  }
  check(gone, "removed toxic answers 404");

  step = "Proxy.update disable";
  const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
  summary.disabled = disabled.toJson();
  check(disabled.enabled === false && disabled.listen === proxy.listen, "disabled");

  step = "Proxy.update enable";
  const enabled = await disabled.update({ enabled: true, listen: disabled.listen, upstream: disabled.upstream });
  summary.enabled = enabled.toJson();
  check(enabled.enabled === true && enabled.listen === proxy.listen, "re-enabled on the same address");

  step = "reset";
  await toxiproxy.reset();
  let left;
  try {
    await proxy.getToxic("refuse");
    left = "refuse still there";
  } catch (e) {
    left = e.message;
  }
  summary.afterReset = left;
  check(/status code 404/.test(left), "reset removed the toxics");

  step = "Proxy.remove";
  await enabled.remove();
  const after = await toxiproxy.getAll();
  summary.listedAfterDelete = Object.keys(after);
  check(!(name in after), "proxy deleted");
  summary.ok = true;
}

try {
  await run();
  console.log(JSON.stringify(summary));
} catch (e) {
  summary.step = step;
  summary.error = `${e.name}: ${e.message}`;
  console.log(JSON.stringify(summary));
  process.exit(1);
}
