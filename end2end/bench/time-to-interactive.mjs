// Time to interactive of the customer list on a mid-range mobile connection: from navigation
// to a hydrated list whose first customer link can be clicked, in Chromium with DevTools'
// network emulation (1.6 Mbit/s down, 750 kbit/s up, 150 ms latency). Run by scripts/tti.sh,
// never by the test command. Prints a Markdown table; cold = empty browser cache, warm = the
// bundle cached by an earlier visit (the HTML is never cached: it is personal).
import { chromium } from "@playwright/test";

const base = process.env.TTI_URL ?? "http://127.0.0.1:3200";
const email = process.env.TTI_EMAIL ?? "admin@bench.test";
const password = process.env.TTI_PASSWORD ?? "bench-password";
const runs = Number(process.env.TTI_RUNS ?? 5);
const path = process.env.TTI_PATH ?? "/customers";

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"],
});
const context = await browser.newContext();
const signIn = await context.request.post(`${base}/api/login`, { form: { email, password } });
if (!signIn.ok()) throw new Error(`sign-in failed: ${signIn.status()}`);

const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send("Network.enable");
await cdp.send("Network.emulateNetworkConditions", {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6e6 / 8),
  uploadThroughput: (750e3 / 8),
});

// Bytes over the wire per visit (encoded sizes, as the emulated link carries them).
let transferred = 0;
cdp.on("Network.loadingFinished", (e) => { transferred += e.encodedDataLength; });

async function visit() {
  transferred = 0;
  const started = Date.now();
  await page.goto(base + path, { waitUntil: "commit" });
  await page.locator("body[data-hydrated='true']").waitFor({ timeout: 60_000 });
  // Interactive: the first customer's link is there and takes a click.
  await page.getByRole("table").getByRole("link").first().click({ trial: true, timeout: 60_000 });
  return { ms: Date.now() - started, kb: transferred / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (const kind of ["cold", "warm"]) {
  const times = [], sizes = [];
  for (let i = 0; i < runs; i++) {
    if (kind === "cold") await cdp.send("Network.clearBrowserCache");
    else await visit(); // make sure the bundle is cached
    const { ms, kb } = await visit();
    times.push(ms); sizes.push(kb);
  }
  results[kind] = { median: median(times), max: Math.max(...times), kb: median(sizes) };
}
await browser.close();

console.log(`\n## Time to interactive: ${path}, 1.6 Mbit/s down, 150 ms latency, ${runs} runs each\n`);
console.log("| Cache | Median ms | Slowest ms | Transferred KB |");
console.log("|---|---:|---:|---:|");
for (const [kind, r] of Object.entries(results)) {
  console.log(`| ${kind} | ${r.median} | ${r.max} | ${r.kb.toFixed(0)} |`);
}
