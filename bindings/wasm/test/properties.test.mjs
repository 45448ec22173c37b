// Seeded property tests: allocations add up to the cent, whatever the shares and amounts.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cw from "../pkg/node.js";
import { cents, seeded } from "./helpers.mjs";

const RUNS = 300;

/** Random shares in hundredths of a percent that sum to exactly 100%. */
function shares(rng, n) {
  const cuts = Array.from({ length: n - 1 }, () => rng.int(0, 10_000)).sort((a, b) => a - b);
  const parts = [...cuts, 10_000].map((c, i) => c - (i ? cuts[i - 1] : 0));
  return parts.map((p) => `${Math.floor(p / 100)}.${String(p % 100).padStart(2, "0")}%`);
}

function amount(rng) {
  const c = BigInt(rng.int(0, 2 ** 31)) * BigInt(rng.int(1, 5000));
  return `${c / 100n}.${String(c % 100n).padStart(2, "0")}`;
}

test(`split: ${RUNS} seeded allocations add up to the total to the cent`, () => {
  const rng = seeded(20240930);
  for (let run = 0; run < RUNS; run++) {
    const n = rng.int(1, 8);
    const funders = shares(rng, n).map((share, i) => ({ name: `F${i}`, share }));
    const total = amount(rng);
    const r = cw.allocateSplit({ amount: total, split: { funders } });
    const sum = r.allocations.reduce((s, a) => s + cents(a.amount), 0n);
    assert.equal(sum, cents(total), `run ${run}: ${JSON.stringify(funders)} of ${total}`);
    for (const a of r.allocations) {
      // Each amount is within one cent of its exact share.
      const exact = Number(a.exact);
      assert.ok(Math.abs(Number(a.amount) - exact) <= 0.0100001, `run ${run}: ${a.amount} vs ${a.exact}`);
    }
  }
});

test(`split ledger: ${RUNS / 3} seeded ledgers add up per funder and in total`, () => {
  const rng = seeded(1414);
  for (let run = 0; run < RUNS / 3; run++) {
    const funders = shares(rng, rng.int(2, 6)).map((share, i) => ({ name: `F${i}`, share }));
    const amounts = Array.from({ length: rng.int(1, 20) }, () => amount(rng));
    const r = cw.allocateSplit({ amounts, split: { funders } });
    const total = amounts.reduce((s, a) => s + cents(a), 0n);
    assert.equal(cents(r.total), total);
    assert.equal(r.allocations.reduce((s, a) => s + cents(a.amount), 0n), total, `run ${run}`);
    for (const [i, line] of (r.lines ?? []).entries()) {
      assert.equal(line.allocations.reduce((s, a) => s + cents(a.amount), 0n), cents(amounts[i]), `run ${run} line ${i}`);
    }
  }
});

test(`case_rate.bill: ${RUNS / 3} seeded enrollments split across Missouri's funders add up per line and in total`, () => {
  const rng = seeded(1999);
  for (let run = 0; run < RUNS / 3; run++) {
    const day = (y, m, d) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
    // Missouri's rate is in force from 1999-03-01; stay within the 6-month enrollment.
    const month = rng.int(3, 6);
    const start = day(1999, month, rng.int(1, 28));
    const r = cw.billCaseRate({
      program: "missouri-interdepartmental-initiative",
      as_of: day(1999, month + rng.int(1, 5), 1),
      split: true,
      enrollments: [{ child: "C", start }],
    });
    for (const line of r.lines) {
      assert.equal(line.funders.reduce((s, f) => s + cents(f.amount), 0n), cents(line.amount), `run ${run} ${line.month}`);
    }
    assert.equal(r.totals.by_funder.reduce((s, f) => s + cents(f.amount), 0n), cents(r.totals.grand_total), `run ${run}`);
  }
});

test("a JS number where a decimal string is required is not_a_decimal_string, saying why", () => {
  for (const bad of [4476, 0.1, -1]) {
    assert.throws(
      () => cw.allocateSplit({ amount: bad, split: { funders: [{ name: "A", share: "100%" }] } }),
      (e) => e.code === "not_a_decimal_string" && e.field === "amount" && /decimal strings/.test(e.message),
    );
  }
  assert.throws(
    () => cw.settleCorridor({ program: "commonworks-1998", as_of: "1999-07-15", target: "100000.00", actual: 103000 }),
    (e) => e.code === "not_a_decimal_string" && e.field === "actual" && e.value === "103000",
  );
  assert.throws(
    () => cw.allocateSplit({ amount: "10.00", split: { funders: [{ name: "A", share: 1 }] } }),
    (e) => e.code === "not_a_decimal_string" && e.field === "split.funders[0].share",
  );
});
