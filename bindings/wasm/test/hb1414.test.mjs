// HB 1414 from files: the CSV path must give exactly what the inline-rows document gives, and
// the scorecards must be those of scoring the published values through `hb1414.score`.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cw from "../pkg/node.js";
import { canonical, rowsToCsv, vectors } from "./helpers.mjs";

const measureVectors = vectors().filter((v) => v.doc.request?.kind === "hb1414.measure" && !v.doc.expected?.error);

test("there are hb1414.measure vectors with data", () => {
  assert.ok(measureVectors.length > 0);
});

for (const { name, doc } of measureVectors) {
  test(`measureCsv over ${name} as CSV files equals the vector byte for byte`, () => {
    const { kind, data, ...request } = doc.request;
    const files = rowsToCsv(data);
    assert.equal(canonical(cw.measureCsv(files, request)), canonical(doc.expected));
    // Text and bytes give the same answer.
    const bytes = files.map(([n, t]) => [n, new TextEncoder().encode(t)]);
    assert.equal(canonical(cw.measureCsv(bytes, request)), canonical(doc.expected));
  });
}

test("scoreRows and scoreCsv agree, and agree with hb1414.score on the published values", () => {
  const { doc } = measureVectors[0];
  const options = { quarter: "2024Q3", min_denominator: 0 };
  const fromRows = cw.scoreRows(doc.request.data, options);
  const fromCsv = cw.scoreCsv(rowsToCsv(doc.request.data), options);
  assert.equal(canonical(fromCsv), canonical(fromRows));
  assert.equal(fromCsv.quarter, "2024Q3");
  assert.ok(fromCsv.scorecards.length > 0);
  // The same units scored by the document kind from their values give the same cards.
  const units = fromCsv.scorecards.map((c) => {
    const values = {};
    for (const v of fromCsv.values) if (v.unit === c.unit && v.value !== null) values[v.metric] = v.value;
    return { unit: c.unit, region: c.region ?? undefined, values };
  });
  const scored = cw.calculate("hb1414.score", { as_of: "2024-09-30", units });
  for (const [i, card] of fromCsv.scorecards.entries()) {
    assert.equal(scored.scorecards[i].unit, card.unit);
    assert.equal(scored.scorecards[i].total, card.total, `total of ${card.unit}`);
  }
});

test("suppressed cells carry no value and say why", () => {
  const { doc } = measureVectors.find((v) => v.name.includes("suppressed")) ?? measureVectors[0];
  const r = cw.scoreCsv(rowsToCsv(doc.request.data), { quarter: "2024Q3" });
  const suppressed = r.values.filter((v) => v.suppressed);
  assert.ok(suppressed.length > 0, "the default threshold of 11 suppresses a one-child dataset");
  for (const v of suppressed) {
    assert.equal(v.value, null);
    assert.ok(["primary", "complementary"].includes(v.suppressed));
  }
});

test("bad data is one invalid_data error listing every problem with file, row, column", () => {
  const files = [
    ["children.csv", "child_id,birth_date\nC1,2010-01-01\nC1,2011-01-01\nC2,not-a-date\n"],
    ["episodes.csv", "child_id,removal_date,county,circuit,region\nC9,2024-01-01,Boone,13,Northeast\n"],
  ];
  try {
    cw.scoreCsv(files, { quarter: "2024Q3" });
    assert.fail("expected invalid_data");
  } catch (err) {
    assert.equal(err.name, "CwfinanceError");
    assert.equal(err.code, "invalid_data");
    assert.ok(Array.isArray(err.problems) && err.problems.length >= 2, JSON.stringify(err.problems));
    for (const p of err.problems) {
      assert.equal(typeof p.file, "string");
      assert.equal(typeof p.column, "string");
      assert.equal(typeof p.code, "string");
    }
  }
  assert.throws(() => cw.checkCsv(files), (e) => e.code === "invalid_data");
});

test("options are checked: an unknown option and a bad quarter are typed errors", () => {
  const files = rowsToCsv(measureVectors[0].doc.request.data);
  assert.throws(() => cw.scoreCsv(files, { quarter: "2024Q3", colour: "red" }), (e) => e.code === "unknown_field");
  assert.throws(() => cw.scoreCsv(files, { quarter: "2024Q5" }), (e) => e.name === "CwfinanceError" && e.field.startsWith("options"));
  assert.throws(() => cw.scoreCsv([["children.csv", 42]], { quarter: "2024Q3" }), (e) => e.code === "invalid_request");
});

test("the synthetic generator gives the same files for the same seed, and they score", () => {
  const a = cw.synthesizeCsv({ seed: 7, scale: "0.01" });
  const b = cw.synthesizeCsv({ seed: 7, scale: "0.01" });
  assert.equal(canonical(a), canonical(b));
  assert.ok(a.some(([n]) => n === "children.csv"));
  const r = cw.scoreCsv(a, { quarter: "2024Q3" });
  assert.ok(r.scorecards.length > 0);
  assert.ok(r.data.tables.children.read > 0);
});

test("mangled CSV files never trap the module: a result or a CwfinanceError", async () => {
  const { seeded } = await import("./helpers.mjs");
  const rng = seeded(35100);
  const clean = cw.synthesizeCsv({ seed: 3, scale: "0.01" });
  const junk = ["", ",", "\"", "\n", "\u0000", "2024-13-45", "-1", "99999999999999999999", "é", "\uFFFD", "true", "x".repeat(300)];
  for (let run = 0; run < 40; run++) {
    const files = clean.map(([name, text]) => {
      let t = text;
      switch (rng.int(0, 4)) {
        case 0: // truncate anywhere, even inside a row
          t = t.slice(0, rng.int(0, t.length));
          break;
        case 1: // a junk value in random places
          for (let i = 0; i < 5; i++) {
            const at = rng.int(0, t.length);
            t = t.slice(0, at) + rng.pick(junk) + t.slice(at + rng.int(0, 12));
          }
          break;
        case 2: // swap the header's first two columns
          t = t.replace(/^([^,\n]*),([^,\n]*)/, "$2,$1");
          break;
        default:
          break;
      }
      return [name, t];
    });
    if (rng.int(0, 3) === 0) files.splice(rng.int(0, files.length - 1), 1);
    try {
      const r = cw.scoreCsv(files, { quarter: "2024Q3" });
      assert.ok(Array.isArray(r.scorecards));
    } catch (err) {
      assert.equal(err.name, "CwfinanceError", `run ${run}: ${err}`);
    }
  }
  assert.ok(cw.programIds().length > 0, "the module is still alive");
});
