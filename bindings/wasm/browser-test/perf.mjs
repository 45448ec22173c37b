// Performance: the in-page time to score a synthetic dataset's CSV files for one quarter, against
// the native CLI on the same machine and files. Not part of the test suite (it needs a large
// generated dataset); run it by hand:
//
//   cargo run --release -p cwfinance-cli -- synth --seed 1 --scale 1 --out target/synth1
//   cargo build --release -p cwfinance-cli
//   node bindings/wasm/browser-test/perf.mjs target/synth1 2024Q3
//
// It prints the page's scoring time (median of RUNS, from the page's own performance.now()
// around `scoreCsv`), the CLI's wall time (median of RUNS, including reading the files), their
// ratio, the page's memory (wasm linear memory and JS heap), the CLI's peak RSS, and whether the
// page's package and the CLI give the same scorecards.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import * as cw from "../pkg/node.js";
import { startServer } from "../www/serve.mjs";
import { canonical, REPO } from "../test/helpers.mjs";

const dir = resolve(process.argv[2] ?? join(REPO, "target", "synth1"));
const quarter = process.argv[3] ?? "2024Q3";
const RUNS = Number(process.env.RUNS ?? 3);
const cli = process.env.CWFINANCE_CLI ?? join(REPO, "target", "release", "cwfinance");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const files = readdirSync(dir).filter((f) => f.endsWith(".csv")).sort();
const bytes = files.reduce((n, f) => n + readFileSync(join(dir, f)).length, 0);
console.log(`dataset ${dir}: ${files.length} CSV files, ${(bytes / 1e6).toFixed(1)} MB; quarter ${quarter}`);

// ---- native CLI ----
const cliArgs = ["hb1414", "score", "--data", dir, "--quarter", quarter, "--by", "provider", "--format", "json"];
const cliTimes = [];
let cliOut = "";
for (let i = 0; i < RUNS; i++) {
  const t0 = process.hrtime.bigint();
  cliOut = execFileSync(cli, cliArgs, { maxBuffer: 1 << 30 }).toString();
  cliTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const timeV = spawnSync("/usr/bin/time", ["-f", "%M", cli, ...cliArgs], { maxBuffer: 1 << 30 });
const cliPeakKiB = Number(String(timeV.stderr).trim().split("\n").at(-1));

// ---- the same work in Node (to check the figures agree) ----
const contents = files.map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]);
const t0 = performance.now();
const nodeResult = cw.scoreCsv(contents, { quarter, by: "provider" });
const nodeMs = performance.now() - t0;
const cliJson = JSON.parse(cliOut);
const same = canonical(cliJson.scorecards) === canonical(nodeResult.scorecards);

// ---- in the page, in headless Chromium ----
const { server, url } = await startServer(0);
const profile = mkdtempSync(join(tmpdir(), "cwfinance-perf-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-precise-memory-info"],
});
const page = context.pages()[0] ?? (await context.newPage());
await page.goto(url);
await page.waitForSelector("body[data-ready=true]");
const pageTimes = [];
const readTimes = [];
for (let i = 0; i < RUNS; i++) {
  await page.getByLabel("Case-record CSV files").setInputFiles(files.map((f) => join(dir, f)));
  await page.getByLabel("Quarter").fill(quarter);
  await page.evaluate(() => {
    delete document.getElementById("score-timing").dataset.scoreMs;
  });
  await page.getByRole("button", { name: "Score providers" }).click();
  await page.waitForFunction(() => document.getElementById("score-timing").dataset.scoreMs !== undefined || document.querySelector("#score-out .error-box"), null, { timeout: 600_000 });
  const err = await page.$("#score-out .error-box");
  if (err) throw new Error(`the page reported an error: ${await err.textContent()}`);
  const t = await page.$eval("#score-timing", (e) => ({ score: Number(e.dataset.scoreMs), read: Number(e.dataset.readMs) }));
  pageTimes.push(t.score);
  readTimes.push(t.read);
}
const cards = await page.$$eval("#score-out article.card", (as) => as.length);
const memory = await page.evaluate(async () => {
  const cwm = await import("../pkg/index.js");
  return { wasm: cwm.wasmMemoryBytes(), jsHeap: performance.memory?.usedJSHeapSize ?? null, jsHeapTotal: performance.memory?.totalJSHeapSize ?? null };
});
const cdp = await context.newCDPSession(page);
const metrics = Object.fromEntries((await cdp.send("Performance.getMetrics").catch(() => ({ metrics: [] }))).metrics?.map((m) => [m.name, m.value]) ?? []);
await context.close();
server.close();
rmSync(profile, { recursive: true, force: true });

const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const pageMs = median(pageTimes);
const cliMs = median(cliTimes);
console.log(`native CLI  (${RUNS} runs): median ${cliMs.toFixed(0)} ms wall [${cliTimes.map((t) => t.toFixed(0)).join(", ")}], peak RSS ${mb(cliPeakKiB * 1024)}`);
console.log(`node (wasm)  (1 run):  ${nodeMs.toFixed(0)} ms in scoreCsv`);
console.log(`page (wasm)  (${RUNS} runs): median ${pageMs.toFixed(0)} ms in scoreCsv [${pageTimes.map((t) => t.toFixed(0)).join(", ")}], + ${median(readTimes).toFixed(0)} ms reading the files`);
console.log(`ratio page/native: ${(pageMs / cliMs).toFixed(2)}x (page including file reading: ${((pageMs + median(readTimes)) / cliMs).toFixed(2)}x)`);
console.log(`page memory: wasm linear memory ${mb(memory.wasm)}, JS heap used ${memory.jsHeap === null ? "n/a" : mb(memory.jsHeap)} (CDP JSHeapUsedSize ${metrics.JSHeapUsedSize ? mb(metrics.JSHeapUsedSize) : "n/a"})`);
console.log(`scorecards: page shows ${cards}, CLI ${cliJson.scorecards.length}; package and CLI scorecards identical: ${same}`);
if (!same) process.exitCode = 1;
