// The calculator page. Every figure shown comes from the cwfinance package (the Rust core in
// WebAssembly); this file only reads the form, calls the package, and lays out its answers.
import * as cw from "../pkg/index.js";

const $ = (id) => document.getElementById(id);

/** Build an element; children are nodes or strings (always inserted as text, never as HTML). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("data-") || k.startsWith("aria-") || k === "role" || k === "scope" || k === "id" || k === "colspan") {
      node.setAttribute(k, String(v));
    } else node[k] = v;
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

/** Dollars for display: "103000.00" -> "$103,000.00"; the digits are the package's. */
function dollars(amount) {
  if (typeof amount !== "string") return "—";
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(amount);
  if (!m) return amount;
  return `${m[1]}$${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${m[3] ?? ""}`;
}

function showError(container, err) {
  const code = err?.code ?? "error";
  container.replaceChildren(
    el(
      "div",
      { class: "error-box", role: "alert", "data-code": code },
      el("p", {}, el("strong", {}, "Not computed: "), err?.message ?? String(err)),
      el(
        "p",
        {},
        "Error code ",
        el("code", {}, code),
        err?.field ? [" in field ", el("code", {}, err.field)] : "",
      ),
    ),
  );
}

function table(caption, head, rows, { numeric = [], id } = {}) {
  return el(
    "div",
    { class: "table-scroll" },
    el(
      "table",
      { id },
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, head.map((h, i) => el("th", { scope: "col", class: numeric.includes(i) ? "num" : undefined }, h)))),
      el(
        "tbody",
        {},
        rows.map((r) =>
          el(
            "tr",
            {},
            r.map((c, i) =>
              i === 0
                ? el("th", { scope: "row" }, c)
                : el("td", { class: numeric.includes(i) ? "num" : undefined }, c),
            ),
          ),
        ),
      ),
    ),
  );
}

function summary(id, pairs) {
  return el(
    "dl",
    { class: "summary", id },
    pairs.map(([term, value, key]) => el("div", {}, el("dt", {}, term), el("dd", { "data-key": key }, value))),
  );
}

// ---- 1. program presets ----------------------------------------------------------------------

let PROGRAMS = [];

function fillProgramSelects() {
  const option = (p) => el("option", { value: p.id }, `${p.name} (${p.jurisdiction})`);
  $("preset").replaceChildren(...PROGRAMS.map(option));
  $("bill-program").replaceChildren(...PROGRAMS.filter((p) => p.sections.case_rate).map(option));
  $("corridor-program").replaceChildren(...PROGRAMS.filter((p) => p.sections.corridor).map(option));
  $("bill-program").value = "missouri-interdepartmental-initiative";
  $("corridor-program").value = "commonworks-1998";
}

const SECTION_ORDER = ["case_rate", "split", "corridor", "risk_pool", "savings", "milestones", "rate_setting", "intake"];

function showProgram(event) {
  event?.preventDefault();
  const out = $("program-out");
  try {
    const p = cw.calculate("program.show", { program: $("preset").value });
    const bySection = new Map();
    for (const [path, c] of Object.entries(p.citations)) {
      const section = path.split(".")[0].split("[")[0];
      if (!bySection.has(section)) bySection.set(section, []);
      bySection.get(section).push([path, c]);
    }
    const sections = [...bySection.keys()].sort((a, b) => SECTION_ORDER.indexOf(a) - SECTION_ORDER.indexOf(b));
    out.replaceChildren(
      el("h3", { id: "program-name" }, p.name),
      el("p", {}, el("strong", {}, p.jurisdiction), ". ", p.summary),
      el("p", { class: "source" }, "Sources: ", p.sources.join(", ")),
      ...sections.map((s) =>
        table(
          `${s.replace("_", " ")}: cited values`,
          ["Parameter", "Value", "Source and section, or the choice made"],
          bySection.get(s).map(([path, c]) => [
            path.slice(s.length + 1) || s,
            c.value,
            c.source
              ? el("span", {}, `${c.source}, ${c.section ?? ""}`, c.quote ? el("span", { class: "source" }, ` — “${c.quote}”`) : "")
              : el("span", {}, el("em", {}, "Choice: "), c.choice ?? ""),
          ]),
          { numeric: [1], id: `cited-${s}` },
        ),
      ),
      p.choices.length
        ? table("Choices where the sources are silent", ["Parameter", "Value", "Why"], p.choices.map((c) => [c.parameter, c.value, c.why]))
        : "",
      Object.keys(p.required_parameters).length
        ? table(
            "Parameters you must supply (not published in the sources)",
            ["Parameter", "Why"],
            Object.entries(p.required_parameters),
          )
        : "",
    );
  } catch (err) {
    showError(out, err);
  }
}

// ---- 2. billing ------------------------------------------------------------------------------

let enrollmentCount = 0;
function addEnrollment(child = "", start = "", end = "") {
  const n = ++enrollmentCount;
  const row = el(
    "div",
    { class: "enrollment-row", "data-row": n },
    el("div", { class: "field" }, el("label", { htmlFor: `child-${n}` }, `Child ${n}: id`), el("input", { id: `child-${n}`, name: "child", value: child, required: true, autocomplete: "off" })),
    el("div", { class: "field" }, el("label", { htmlFor: `start-${n}` }, `Child ${n}: enrolled on`), el("input", { id: `start-${n}`, name: "start", type: "date", value: start, required: true })),
    el("div", { class: "field" }, el("label", { htmlFor: `end-${n}` }, `Child ${n}: left on (optional)`), el("input", { id: `end-${n}`, name: "end", type: "date", value: end })),
  );
  if (n > 1) {
    row.append(
      el("button", { type: "button", class: "secondary", "aria-label": `Remove child ${n}`, onclick: () => row.remove() }, "Remove"),
    );
  }
  $("enrollment-rows").append(row);
  return row;
}

function bill(event) {
  event?.preventDefault();
  const out = $("bill-out");
  const enrollments = [...document.querySelectorAll(".enrollment-row")].map((row) => {
    const get = (name) => row.querySelector(`[name=${name}]`).value;
    const e = { child: get("child"), start: get("start") };
    if (get("end")) e.end = get("end");
    return e;
  });
  const request = {
    program: $("bill-program").value,
    as_of: $("bill-as-of").value,
    enrollments,
  };
  if ($("bill-split").checked) request.split = true;
  try {
    const r = cw.billCaseRate(request);
    const funders = r.totals.by_funder ?? [];
    const names = funders.map((f) => f.name);
    out.replaceChildren(
      summary("bill-summary", [
        ["Total billed", dollars(r.totals.grand_total), "grand_total"],
        ["Billing lines", String(r.totals.lines), "lines"],
        ["Proration", r.convention.replace("_", " "), "convention"],
      ]),
      table(
        "Billing lines",
        ["Child", "Month", "Days", "Basis", "Rate", "Amount", ...names],
        r.lines.map((l) => [
          l.child,
          l.month.slice(0, 7),
          String(l.days),
          l.basis.replace("_", " "),
          l.rates?.map((s) => dollars(s.rate)).join(", ") ?? "",
          dollars(l.amount),
          ...names.map((n) => dollars(l.funders?.find((f) => f.name === n)?.amount)),
        ]),
        { numeric: [2, 4, 5, ...names.map((_, i) => 6 + i)], id: "bill-lines" },
      ),
      funders.length
        ? table("Split across funders (all lines)", ["Funder", "Amount"], funders.map((f) => [f.name, dollars(f.amount)]), {
            numeric: [1],
            id: "bill-funders",
          })
        : "",
      r.notes?.length ? el("ul", {}, r.notes.map((n) => el("li", {}, typeof n === "string" ? n : n.message ?? JSON.stringify(n)))) : "",
    );
  } catch (err) {
    showError(out, err);
  }
}

// ---- 3. corridor -----------------------------------------------------------------------------

/** Integer cents of a decimal amount typed by the user, only to place the chart's sample points. */
function centsOf(text) {
  const m = /^\s*(\d+)(?:\.(\d{1,2}))?\s*$/.exec(text);
  return m ? BigInt(m[1]) * 100n + BigInt((m[2] ?? "0").padEnd(2, "0")) : null;
}
const amountOfCents = (c) => `${c / 100n}.${String(c % 100n).padStart(2, "0")}`;

function corridorRequest(actual) {
  const r = { program: $("corridor-program").value, target: $("corridor-target").value.trim(), actual };
  if ($("corridor-as-of").value) r.as_of = $("corridor-as-of").value;
  return r;
}

function settle(event) {
  event?.preventDefault();
  const out = $("corridor-out");
  const figure = $("corridor-figure");
  try {
    const s = cw.settleCorridor(corridorRequest($("corridor-actual").value.trim()));
    out.replaceChildren(
      summary("corridor-summary", [
        ["Difference (actual − target)", dollars(s.difference), "difference"],
        ["Provider's share", dollars(s.provider_share), "provider_share"],
        ["Payer's share", dollars(s.payer_share), "payer_share"],
        ["Payer pays in total", dollars(s.payer_total), "payer_total"],
        ["Phase in force", s.phase ? s.phase.name : "none (no phase-in)", "phase"],
      ]),
      table(
        "Corridor bands",
        ["Band", "Side", "From", "To", "Amount", "Provider rate", "Provider share", "Payer share"],
        s.bands.map((b) => [
          String(b.band),
          b.side,
          b.from,
          b.to ?? "beyond",
          dollars(b.amount),
          b.provider_rate,
          dollars(b.provider_share),
          dollars(b.payer_share),
        ]),
        { numeric: [4, 5, 6, 7], id: "corridor-bands" },
      ),
    );
    drawCorridorChart(s);
    figure.hidden = false;
  } catch (err) {
    figure.hidden = true;
    showError(out, err);
  }
}

/** Settle 41 actual costs from 80% to 120% of the target and plot both shares. */
function drawCorridorChart(current) {
  const target = centsOf($("corridor-target").value);
  const chart = $("corridor-chart");
  if (target === null || target === 0n) {
    chart.replaceChildren();
    return;
  }
  const step = target / 100n; // 1% of the target
  const points = [];
  for (let pct = -20n; pct <= 20n; pct += 1n) {
    const actual = amountOfCents(target + pct * step);
    const s = cw.settleCorridor(corridorRequest(actual));
    points.push({ actual, provider: s.provider_share, payer: s.payer_share });
  }
  const num = Number;
  const xs = points.map((p) => num(p.actual));
  const ys = points.flatMap((p) => [num(p.provider), num(p.payer)]).concat([num(current.provider_share), num(current.payer_share)]);
  const [W, H, L, R, T, B] = [680, 320, 90, 20, 20, 50];
  const xMin = Math.min(...xs), xMax = Math.max(...xs);
  const yMin = Math.min(0, ...ys), yMax = Math.max(0, ...ys);
  const yPad = (yMax - yMin) * 0.08 || 1;
  const X = (v) => L + ((v - xMin) / (xMax - xMin || 1)) * (W - L - R);
  const Y = (v) => T + (1 - (v - (yMin - yPad)) / (yMax - yMin + 2 * yPad)) * (H - T - B);
  const line = (key, color, dash) =>
    svg("polyline", { points: points.map((p) => `${X(num(p.actual)).toFixed(1)},${Y(num(p[key])).toFixed(1)}`).join(" "), fill: "none", stroke: color, "stroke-width": 3, "stroke-dasharray": dash ?? "none" });
  // Round tick steps (1, 2 or 5 times a power of ten) so the axis reads easily.
  const raw = (yMax - yMin) / 8 || 1;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const stepY = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw);
  const yTicks = [];
  for (let v = Math.ceil((yMin - yPad) / stepY) * stepY; v <= yMax + yPad; v += stepY) yTicks.push(v);
  const xTicks = [0, 10, 20, 30, 40].map((i) => points[i]);
  const short = (v) => {
    const a = Math.abs(v);
    const text = a >= 1000 ? `$${(a / 1000).toLocaleString("en-US", { maximumFractionDigits: 1 })}k` : `$${a.toLocaleString("en-US")}`;
    return v < 0 ? `\u2212${text}` : text;
  };
  const cur = num(current.actual);
  const graphic = svg(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img", "aria-labelledby": "chart-title chart-desc", style: "max-width:680px" },
    svg("title", { id: "chart-title" }, "Provider and payer shares of the difference from target, by actual cost"),
    svg("desc", { id: "chart-desc" }, `Actual costs from ${dollars(points[0].actual)} to ${dollars(points.at(-1).actual)}; the table below the chart lists every point.`),
    yTicks.map((v) => [
      svg("line", { x1: L, x2: W - R, y1: Y(v), y2: Y(v), stroke: "#dde3ea" }),
      svg("text", { x: L - 8, y: Y(v) + 4, "text-anchor": "end", "font-size": 12 }, short(Math.round(v))),
    ]),
    svg("line", { x1: L, x2: W - R, y1: Y(0), y2: Y(0), stroke: "#4a5561" }),
    xTicks.map((p) => [
      svg("line", { x1: X(num(p.actual)), x2: X(num(p.actual)), y1: H - B, y2: H - B + 5, stroke: "#4a5561" }),
      svg("text", { x: X(num(p.actual)), y: H - B + 20, "text-anchor": "middle", "font-size": 12 }, short(num(p.actual))),
    ]),
    svg("text", { x: (L + W - R) / 2, y: H - 8, "text-anchor": "middle", "font-size": 13 }, "Actual cost"),
    svg("line", { x1: X(cur), x2: X(cur), y1: T, y2: H - B, stroke: "#7b8794", "stroke-dasharray": "4 4" }),
    line("provider", "var(--provider)"),
    line("payer", "var(--payer)", "8 5"),
  );
  chart.replaceChildren(
    el(
      "div",
      { class: "legend", "aria-hidden": "true" },
      el("span", {}, el("span", { class: "swatch", style: "background:var(--provider)" }), "Provider's share"),
      el("span", {}, el("span", { class: "swatch", style: "background:var(--payer)" }), "Payer's share (dashed)"),
    ),
    graphic,
    el(
      "details",
      {},
      el("summary", {}, "Chart data"),
      table("Shares by actual cost", ["Actual cost", "Provider's share", "Payer's share"], points.map((p) => [dollars(p.actual), dollars(p.provider), dollars(p.payer)]), {
        numeric: [0, 1, 2],
        id: "corridor-points",
      }),
    ),
  );
  $("corridor-caption").textContent =
    "Each point is a settlement computed by the package; the dotted line marks the actual cost entered. " +
    "Positive shares are losses borne, negative shares gains kept.";
}

// ---- 4. HB 1414 scorecard --------------------------------------------------------------------

let chosenFiles = [];
let METRIC_NAMES = new Map();

function setFiles(list) {
  chosenFiles = [...list].filter((f) => f.name.toLowerCase().endsWith(".csv"));
  $("file-list").textContent = chosenFiles.length
    ? `${chosenFiles.length} file(s): ${chosenFiles.map((f) => f.name).join(", ")}`
    : "No CSV file chosen.";
}

async function readFiles() {
  return Promise.all(chosenFiles.map(async (f) => [f.name, new Uint8Array(await f.arrayBuffer())]));
}

function scoreOptions() {
  const min = $("score-min-denominator").value;
  const o = { quarter: $("score-quarter").value.trim() };
  if (min !== "") o.min_denominator = Number.parseInt(min, 10);
  return o;
}

async function score(event, files) {
  event?.preventDefault();
  const out = $("score-out");
  const timing = $("score-timing");
  const button = $("score-run");
  button.disabled = true;
  try {
    const t0 = performance.now();
    const contents = files ?? (await readFiles());
    const t1 = performance.now();
    if (!contents.length) throw Object.assign(new Error("Choose or drop the CSV files first."), { code: "no_files" });
    const r = cw.scoreCsv(contents, scoreOptions());
    const t2 = performance.now();
    const rows = Object.values(r.data.tables).reduce((n, t) => n + t.read, 0);
    timing.textContent = `Scored ${rows.toLocaleString("en-US")} rows in ${(t2 - t1).toFixed(0)} ms (reading the files: ${(t1 - t0).toFixed(0)} ms).`;
    timing.dataset.scoreMs = (t2 - t1).toFixed(1);
    timing.dataset.readMs = (t1 - t0).toFixed(1);
    renderScorecards(r);
  } catch (err) {
    timing.textContent = "";
    showError(out, err);
  } finally {
    button.disabled = false;
  }
}

function numberOf(text) {
  const m = /^-?\d+(\.\d+)?/.exec(text ?? "");
  return m ? Number(m[0]) : null;
}

/** One bar: the unit's value against the goal (a tick); a hatched note when suppressed. */
function itemBar(item, suppressed) {
  const W = 180, H = 18;
  if (suppressed) {
    return svg(
      "svg",
      { width: W, height: H, role: "img", "aria-label": `value suppressed (${suppressed})` },
      svg("defs", {}, svg("pattern", { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, svg("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#9aa5b1", "stroke-width": 3 }))),
      svg("rect", { x: 0, y: 2, width: W, height: H - 4, fill: "url(#hatch)" }),
    );
  }
  const actual = numberOf(item.actual);
  const goal = numberOf(item.goal);
  if (actual === null) return el("span", { class: "suppressed" }, "no value");
  const max = Math.max(actual, goal ?? 0) * 1.15 || 1;
  const good = item.met === true;
  const label = `${item.actual}${item.goal ? ` against a goal of ${item.goal}` : ""}${item.met === true ? ", met" : item.met === false ? ", not met" : ""}`;
  return svg(
    "svg",
    { width: W, height: H, role: "img", "aria-label": label },
    svg("rect", { x: 0, y: 3, width: W, height: H - 6, fill: "#eef1f4" }),
    svg("rect", { x: 0, y: 3, width: (actual / max) * W, height: H - 6, fill: item.met === undefined || item.met === null ? "#7b8794" : good ? "var(--good)" : "var(--bad)" }),
    goal !== null ? svg("line", { x1: (goal / max) * W, x2: (goal / max) * W, y1: 0, y2: H, stroke: "#1b1f24", "stroke-width": 2 }) : null,
  );
}

function renderScorecards(r) {
  const out = $("score-out");
  const suppressedOf = new Map(r.values.filter((v) => v.suppressed).map((v) => [`${v.unit}\u0000${v.metric}`, v.suppressed]));
  const nSuppressed = r.values.filter((v) => v.suppressed).length;
  out.replaceChildren(
    summary("score-summary", [
      ["Quarter", r.quarter, "quarter"],
      ["Goals in force", r.phase.replace("_", " "), "phase"],
      ["Providers scored", String(r.scorecards.length), "providers"],
      ["Suppressed cells", `${nSuppressed} (denominators below ${r.suppression.min_denominator})`, "suppressed"],
    ]),
    el(
      "p",
      { class: "hint" },
      "Bars show each provider's value; the black tick is the goal. Green bars meet the goal, red bars do not. ",
      "A hatched bar is a suppressed cell: too few cases to publish (13 CSR 35-35.100(6)(D)).",
    ),
    el(
      "div",
      { class: "cards" },
      r.scorecards.map((card) =>
        el(
          "article",
          { class: "card", "data-unit": card.unit, "aria-labelledby": `card-${slug(card.unit)}` },
          el("h3", { id: `card-${slug(card.unit)}` }, card.unit, card.region ? ` (${card.region})` : ""),
          el(
            "p",
            {},
            el("span", { class: "total", "data-key": "total" }, `Total ${card.total}`),
            ` of ${card.weight_sum} possible; goals met: `,
            el(
              "span",
              { class: card.goals_met === true ? "met" : card.goals_met === false ? "not-met" : "suppressed", "data-key": "goals_met" },
              card.goals_met === true ? "yes" : card.goals_met === false ? "no" : "cannot be judged",
            ),
            card.incentive ? `; incentive share ${card.incentive.share}` : "",
          ),
          table(
            `Scorecard items for ${card.unit}`,
            ["Item", "Value", "Goal", "Value against goal", "Weight", "Weighted"],
            card.items.map((i) => {
              const sup = suppressedOf.get(`${card.unit}\u0000${i.metric}`);
              return [
                METRIC_NAMES.get(i.metric) ?? i.metric,
                sup ? el("span", { class: "suppressed", "data-suppressed": sup }, `suppressed (${sup})`) : (i.actual ?? "—"),
                i.goal ?? "not set",
                el("span", { class: "bar-cell" }, itemBar(i, sup)),
                i.weight,
                i.weighted ?? (i.not_scored ? el("span", { class: "suppressed" }, `not scored: ${i.not_scored.replaceAll("_", " ")}`) : "—"),
              ];
            }),
            { numeric: [1, 2, 4, 5] },
          ),
        ),
      ),
    ),
  );
}

const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-");

async function useSample() {
  const button = $("score-sample");
  button.disabled = true;
  try {
    const files = cw.synthesizeCsv({ seed: 1, scale: "0.02" });
    $("file-list").textContent = `Synthetic sample (seed 1, scale 0.02): ${files.length} files generated in this page.`;
    chosenFiles = [];
    await score(null, files);
  } catch (err) {
    showError($("score-out"), err);
  } finally {
    button.disabled = false;
  }
}

function wireDropZone() {
  const zone = $("drop-zone");
  $("score-files").addEventListener("change", (e) => setFiles(e.target.files));
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (e) => {
      e.preventDefault();
      zone.classList.add("over");
    });
  }
  for (const type of ["dragleave", "drop"]) zone.addEventListener(type, () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    setFiles(e.dataTransfer.files);
  });
}

// ---- start -----------------------------------------------------------------------------------

async function start() {
  const status = $("status");
  try {
    await cw.init();
    PROGRAMS = cw.programs();
    METRIC_NAMES = new Map(cw.metricDefinitions().map((d) => [d.id, d.name]));
    fillProgramSelects();
    addEnrollment("MO-1", "1999-03-01");
    addEnrollment("MO-2", "1999-03-15");
    $("program-form").addEventListener("submit", showProgram);
    $("bill-form").addEventListener("submit", bill);
    $("add-enrollment").addEventListener("click", () => addEnrollment().querySelector("input").focus());
    $("corridor-form").addEventListener("submit", settle);
    $("score-form").addEventListener("submit", (e) => score(e));
    $("score-sample").addEventListener("click", useSample);
    wireDropZone();
    status.textContent = `Ready: cwfinance ${cw.version()}, ${PROGRAMS.length} program presets. Everything runs in this page.`;
    // Cache the page and the package so that it also opens without a network next time.
    if ("serviceWorker" in navigator && window.isSecureContext) {
      navigator.serviceWorker.register("sw.js").catch(() => {});
    }
    document.body.dataset.ready = "true";
  } catch (err) {
    status.textContent = `The calculator could not start: ${err?.message ?? err}`;
    status.classList.add("error");
  }
}

start();
