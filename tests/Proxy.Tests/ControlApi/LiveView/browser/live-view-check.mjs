// Opens chaos run --ui in Debian's chromium (playwright-core drives it; nothing is downloaded), makes one connection
// through the proxy, and reports how long the page took to show it and its fault, as one JSON line.
// The page forbids eval by its CSP; bypassCSP lets playwright's waitForFunction run.
// Usage: node live-view-check.mjs <live view url> <proxy host:port> <screenshot.png>
import net from "node:net";
import { chromium } from "playwright-core";

const [url, proxy, screenshot] = process.argv.slice(2);
const [host, port] = [proxy.slice(0, proxy.lastIndexOf(":")), Number(proxy.slice(proxy.lastIndexOf(":") + 1))];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, bypassCSP: true });
  await page.goto(url);
  await page.waitForSelector('body[data-live="yes"]', { timeout: 10000 });

  const started = Date.now();
  const socket = net.connect(port, host);
  const echoed = new Promise((resolve, reject) => {
    socket.once("data", resolve);
    socket.once("error", reject);
  });
  socket.write("hello through chaos\n");
  await page.waitForSelector(".connection", { timeout: 2000 });
  const appearedMs = Date.now() - started;
  await page.waitForSelector(".connection.faulted .row.step-fault", { timeout: 5000 });
  const faultMs = Date.now() - started;
  await echoed;
  socket.end();
  await page.waitForFunction(() => document.querySelector(".connection .end")?.textContent.startsWith("closed"), null, { timeout: 5000 });
  await page.screenshot({ path: screenshot, fullPage: true });
  const fault = await page.textContent(".connection .row.step-fault");
  const states = await page.$$eval(".connection .pill", (pills) => pills.map((p) => p.textContent));
  console.log(JSON.stringify({ appearedMs, faultMs, fault, states }));
} finally {
  await browser.close();
}
