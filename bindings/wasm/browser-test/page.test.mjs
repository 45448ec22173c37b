// Drives the calculator page in headless Chromium (Debian's, through playwright-core): for each
// of the four tasks, fill the form like a person, click, and compare the figures on the page with
// the vectors in tests/vectors/. Screenshots go to ci-artifacts/browser/ (git-ignored).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import * as cw from "../pkg/node.js";
import { startServer } from "../www/serve.mjs";
import { REPO, rowsToCsv, vectors } from "../test/helpers.mjs";

const SHOTS = join(REPO, "ci-artifacts", "browser");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
// Without the networking flags Chromium keeps trying to reach the outside, which this machine refuses.
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const vector = (name) => JSON.parse(readFileSync(join(REPO, "tests", "vectors", name), "utf8"));

/** "103000.00" -> "$103,000.00", as the page writes amounts. */
function dollars(amount) {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(amount);
  return `${m[1]}$${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${m[3] ?? ""}`;
}

let server, url, context, page, profile;
const outside = [];
const consoleErrors = [];

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ server, url } = await startServer(0));
  profile = mkdtempSync(join(tmpdir(), "cwfinance-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  // The page must never leave 127.0.0.1: record and refuse anything else.
  await context.route("**/*", (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === "127.0.0.1") return route.continue();
    outside.push(route.request().url());
    return route.abort();
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
});

after(async () => {
  await context?.close();
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test("the page loads the package and asks nothing of the network", async () => {
  assert.match(await page.textContent("#status"), /^Ready: cwfinance /);
  assert.deepEqual(outside, []);
});

test("1. a preset's rates with their cited sources (program.show)", async () => {
  const v = vector("program.show/commonworks-1998.json");
  // Until the vector is blessed, its expected figures are the package's own answer in Node
  // (which test/vectors.test.mjs holds to the vector once it is).
  v.expected ??= cw.evaluate(v.request);
  await page.getByLabel("Program preset", { exact: true }).selectOption("commonworks-1998");
  await page.getByRole("button", { name: "Show the program" }).click();
  await page.waitForSelector("#program-name");
  assert.equal(await page.textContent("#program-name"), v.expected.name);
  const rows = await page.$$eval("#program-out table[id^=cited-] tbody tr", (trs) =>
    trs.map((tr) => [...tr.children].map((c) => c.textContent)),
  );
  const shown = new Map(rows.map(([param, value, source]) => [param, { value, source }]));
  const cited = Object.entries(v.expected.citations);
  assert.ok(cited.length > 0);
  for (const [path, c] of cited) {
    const param = path.slice(path.split(".")[0].split("[")[0].length + 1) || path;
    const row = shown.get(param);
    assert.ok(row, `no row for ${path}`);
    assert.equal(row.value, c.value, path);
    if (c.source) assert.ok(row.source.startsWith(`${c.source}, ${c.section}`), `${path}: ${row.source}`);
    else assert.ok(row.source.includes(c.choice), path);
  }
  // The monthly rate of $4,476 from July 1998, with its source.
  assert.ok(rows.some(([, value, source]) => value === "4476.00" && source.startsWith("001_f8713068464777ee.txt")));
  await page.locator("#programs").screenshot({ path: join(SHOTS, "1-program.png") });
});

test("2. billing lines and the split across funders (case_rate.bill)", async () => {
  const v = vector("case_rate.bill/missouri-interdepartmental-initiative.json");
  const req = v.request;
  await page.locator("#bill-program").selectOption(req.program);
  await page.locator("#bill-as-of").fill(req.as_of);
  await page.locator("#bill-split").setChecked(req.split === true);
  for (const [i, e] of req.enrollments.entries()) {
    await page.getByLabel(`Child ${i + 1}: id`).fill(e.child);
    await page.getByLabel(`Child ${i + 1}: enrolled on`).fill(e.start);
  }
  await page.getByRole("button", { name: "Bill", exact: true }).click();
  await page.waitForSelector("#bill-summary");
  const total = await page.textContent("#bill-summary [data-key=grand_total]");
  assert.equal(total, dollars(v.expected.totals.grand_total));
  const funders = await page.$$eval("#bill-funders tbody tr", (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.deepEqual(
    funders,
    v.expected.totals.by_funder.map((f) => [f.name, dollars(f.amount)]),
  );
  const lines = await page.$$eval("#bill-lines tbody tr", (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.equal(lines.length, v.expected.lines.length);
  for (const [i, line] of v.expected.lines.entries()) {
    assert.equal(lines[i][0], line.child);
    assert.equal(lines[i][5], dollars(line.amount));
    assert.deepEqual(lines[i].slice(6), line.funders.map((f) => dollars(f.amount)));
  }
  await page.locator("#billing").screenshot({ path: join(SHOTS, "2-billing.png") });
});

test("3. corridor settlement and its chart (corridor.settle)", async () => {
  const v = vector("corridor.settle/commonworks-1998-3pct-at-103000.json");
  await page.locator("#corridor-program").selectOption(v.request.program);
  await page.getByLabel("Settlement date").fill(v.request.as_of);
  await page.getByLabel("Target cost ($)").fill(v.request.target);
  await page.getByLabel("Actual cost ($)").fill(v.request.actual);
  // Keyboard: submit with Enter from the last field.
  await page.getByLabel("Actual cost ($)").press("Enter");
  await page.waitForSelector("#corridor-summary");
  const figure = async (key) => page.textContent(`#corridor-summary [data-key=${key}]`);
  assert.equal(await figure("provider_share"), dollars(v.expected.provider_share));
  assert.equal(await figure("payer_share"), dollars(v.expected.payer_share));
  assert.equal(await figure("payer_total"), dollars(v.expected.payer_total));
  assert.equal(await figure("difference"), dollars(v.expected.difference));
  assert.equal(await figure("phase"), v.expected.phase.name);
  // The chart's points are settlements too: check two of them against their vectors (same phase).
  const points = await page.$$eval("#corridor-points tbody tr", (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  assert.equal(points.length, 41);
  assert.equal(await page.locator("#corridor-chart svg polyline").count(), 2);
  for (const name of ["commonworks-1998-3pct-at-105000.json", "commonworks-1998-3pct-at-95000-trace.json"]) {
    const p = vector(`corridor.settle/${name}`).expected;
    const row = points.find(([actual]) => actual === dollars(p.actual));
    assert.ok(row, `no chart point at ${p.actual}`);
    assert.deepEqual(row.slice(1), [dollars(p.provider_share), dollars(p.payer_share)], name);
  }
  await page.locator("#corridor").screenshot({ path: join(SHOTS, "3-corridor.png") });
});

test("3b. a number the core refuses is shown as a typed error", async () => {
  await page.getByLabel("Actual cost ($)").fill("103,000");
  await page.getByRole("button", { name: "Settle" }).click();
  const box = page.locator("#corridor-out .error-box");
  await box.waitFor();
  assert.equal(await box.getAttribute("data-code"), "invalid_decimal");
  await page.getByLabel("Actual cost ($)").fill("103000.00");
  await page.getByRole("button", { name: "Settle" }).click();
});

test("4. provider scorecard from dropped CSV files, with suppressed cells marked", async () => {
  // The case records of an hb1414.measure vector, written as the generator's CSV files.
  const v = vectors().find((x) => x.name === "hb1414.measure/visits_hcy_maltreatment.json") ??
    vectors().find((x) => x.doc.request?.kind === "hb1414.measure" && !x.doc.expected?.error);
  const files = rowsToCsv(v.doc.request.data);
  const dir = mkdtempSync(join(tmpdir(), "cwfinance-csv-"));
  const paths = files.map(([name, text]) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  });
  const quarter = v.doc.expected.periods?.[0]?.label ?? "2024Q3";
  try {
    for (const min of ["11", "0"]) {
      await page.getByLabel("Case-record CSV files").setInputFiles(paths);
      await page.getByLabel("Quarter").fill(quarter);
      await page.getByLabel("Suppress cells with denominators below").fill(min);
      await page.getByRole("button", { name: "Score providers" }).click();
      await page.waitForFunction((m) => document.querySelector("#score-summary [data-key=suppressed]")?.textContent.includes(`below ${m})`), min);
      // The expected figures: the package in Node on the same files (its CSV path equals the
      // vector byte for byte: test/hb1414.test.mjs).
      const expected = cw.scoreCsv(files, { quarter, min_denominator: Number(min) });
      const cards = await page.$$eval("#score-out article.card", (as) =>
        as.map((a) => ({
          unit: a.dataset.unit,
          total: a.querySelector("[data-key=total]").textContent,
          cells: [...a.querySelectorAll("tbody tr")].map((tr) => [...tr.children].map((c) => c.textContent)),
          suppressed: [...a.querySelectorAll("[data-suppressed]")].map((s) => s.dataset.suppressed),
        })),
      );
      assert.equal(cards.length, expected.scorecards.length);
      for (const [i, card] of expected.scorecards.entries()) {
        assert.equal(cards[i].unit, card.unit);
        assert.equal(cards[i].total, `Total ${card.total}`);
        for (const [j, item] of card.items.entries()) {
          const value = expected.values.find((x) => x.unit === card.unit && x.metric === item.metric);
          const shown = cards[i].cells[j][1];
          if (value?.suppressed) assert.equal(shown, `suppressed (${value.suppressed})`);
          else assert.equal(shown, item.actual ?? "—", `${card.unit} ${item.metric}`);
          assert.equal(cards[i].cells[j][2], item.goal ?? "not set");
        }
      }
      const nSuppressed = expected.values.filter((x) => x.suppressed).length;
      if (min === "11") {
        assert.ok(nSuppressed > 0, "a tiny dataset has suppressed cells at the default threshold");
        await page.locator("#scorecard").screenshot({ path: join(SHOTS, "4-scorecard-suppressed.png") });
      } else {
        assert.equal(nSuppressed, 0);
        await page.locator("#scorecard").screenshot({ path: join(SHOTS, "4-scorecard.png") });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("4b. the synthetic sample button scores in the page what the package scores in Node", async () => {
  await page.getByLabel("Quarter").fill("2024Q3");
  await page.getByLabel("Suppress cells with denominators below").fill("11");
  await page.getByRole("button", { name: "Use a small synthetic sample" }).click();
  await page.waitForFunction(() => document.querySelector("#file-list")?.textContent.startsWith("Synthetic sample") && document.querySelector("#score-summary [data-key=quarter]")?.textContent === "2024Q3");
  const expected = cw.scoreCsv(cw.synthesizeCsv({ seed: 1, scale: "0.02" }), { quarter: "2024Q3", min_denominator: 11 });
  const totals = await page.$$eval("#score-out article.card", (as) => as.map((a) => [a.dataset.unit, a.querySelector("[data-key=total]").textContent]));
  assert.deepEqual(totals, expected.scorecards.map((c) => [c.unit, `Total ${c.total}`]));
  await page.locator("#scorecard").screenshot({ path: join(SHOTS, "4-scorecard-sample.png") });
});

test("every form control has a label, and the page has one h1 and ordered headings", async () => {
  const unlabelled = await page.$$eval("input, select, textarea", (els) =>
    els.filter((e) => e.type !== "hidden" && e.labels.length === 0 && !e.getAttribute("aria-label")).map((e) => e.id || e.name),
  );
  assert.deepEqual(unlabelled, []);
  assert.equal(await page.locator("h1").count(), 1);
  assert.equal(await page.locator("main h2").count(), 4);
  // Every chart has a text alternative.
  const charts = await page.$$eval("svg[role=img]", (els) => els.filter((e) => !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby")).length);
  assert.equal(charts, 0);
});

test("once loaded, the page opens and computes offline", async () => {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // The first visit's files are cached when the worker installs; a controlled reload is offline-proof.
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  await context.setOffline(true);
  try {
    await page.reload();
    await page.waitForSelector("body[data-ready=true]", { timeout: 15_000 });
    await page.getByLabel("Target cost ($)").fill("100000.00");
    await page.getByLabel("Actual cost ($)").fill("103000.00");
    await page.getByLabel("Settlement date").fill("1999-07-15");
    await page.getByRole("button", { name: "Settle" }).click();
    await page.waitForSelector("#corridor-summary");
    assert.equal(await page.textContent("#corridor-summary [data-key=provider_share]"), "$3,000.00");
  } finally {
    await context.setOffline(false);
  }
});

test("the whole page, and nothing went wrong on the way", async () => {
  await page.screenshot({ path: join(SHOTS, "page.png"), fullPage: true });
  assert.deepEqual(outside, []);
  assert.deepEqual(consoleErrors, []);
});
