// Error paths: every failure is a JS Error named CwfinanceError with code, field, value and
// message, converted in one place (src/lib.rs, to_js_error); no input reaches a Rust panic.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cw from "../pkg/node.js";
import { seeded, vectors } from "./helpers.mjs";

/** Run `fn`, expect a CwfinanceError, and return it. */
function thrown(fn) {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof Error, "thrown value is an Error");
    assert.equal(err.name, "CwfinanceError");
    assert.ok(cw.isCwfinanceError(err));
    assert.equal(typeof err.code, "string");
    assert.equal(typeof err.field, "string");
    assert.ok(err.value === null || typeof err.value === "string");
    assert.ok(err.message.length > 0);
    assert.ok(cw.errorCodes().includes(err.code), `unknown code ${err.code}`);
    return err;
  }
  assert.fail("expected a CwfinanceError");
}

test("an unknown program is unknown_id on field program, with the value", () => {
  const err = thrown(() => cw.calculate("program.show", { program: "commonworks-2099" }));
  assert.equal(err.code, "unknown_id");
  assert.equal(err.field, "program");
  assert.equal(err.value, "commonworks-2099");
  assert.match(err.message, /commonworks-1998/, "the message lists the known ids");
});

test("program() and loadProgram() throw the same typed errors", () => {
  assert.equal(thrown(() => cw.program("nope")).code, "unknown_id");
  const err = thrown(() => cw.loadProgram({ id: "x" }));
  assert.equal(err.code, "missing_field");
  assert.equal(thrown(() => cw.loadProgram("{not json")).code, "invalid_request");
});

test("a user's program needs citations: a bare number is missing_citation", () => {
  const mine = {
    id: "my-state",
    name: "My State",
    jurisdiction: "Somewhere",
    summary: "A two-funder split.",
    sources: ["contract.pdf"],
    sections: {
      split: {
        funders: [
          { name: "State", share: { value: "70%", source: "contract.pdf", section: "4.1" } },
          { name: "Federal", share: "30%" },
        ],
      },
    },
  };
  const err = thrown(() => cw.loadProgram(mine));
  assert.equal(err.code, "missing_citation");
  assert.equal(err.value, "30%");
  mine.sections.split.funders[1].share = { value: "30%", source: "contract.pdf", section: "4.1" };
  const loaded = cw.loadProgram(JSON.stringify(mine));
  assert.equal(loaded.citations["split.funders[1].share"].section, "4.1");
});

test("an unknown field is refused, naming it", () => {
  const err = thrown(() => cw.calculate("program.show", { program: "commonworks-1998", colour: "red" }));
  assert.equal(err.code, "unknown_field");
  assert.equal(err.value, "colour");
});

test("a kind that contradicts the function is refused", () => {
  const err = thrown(() => cw.calculate("program.show", { kind: "split", program: "commonworks-1998" }));
  assert.equal(err.code, "invalid_request");
  assert.equal(err.field, "kind");
});

test("values JSON cannot carry are typed errors, not crashes", () => {
  const cyclic = { program: "commonworks-1998" };
  cyclic.self = cyclic;
  assert.equal(thrown(() => cw.calculate("program.show", cyclic)).code, "invalid_request");
  assert.equal(thrown(() => cw.calculate("program.show", { program: 10n })).code, "invalid_request");
  assert.equal(thrown(() => cw.calculate("program.show", null)).field, "request");
  assert.equal(thrown(() => cw.calculate("program.show", [1, 2])).code, "invalid_request");
  // evaluate() answers with an error document instead of throwing.
  assert.equal(cw.evaluate(cyclic).error.kind, "invalid_request");
  assert.equal(cw.evaluate(undefined).error.field, "request");
  assert.equal(cw.evaluate(() => 1).error.kind, "invalid_request");
});

test("deep nesting is too_large, before the parser recurses", () => {
  let deep = "x";
  for (let i = 0; i < 1_000; i++) deep = [deep];
  assert.equal(cw.evaluate({ kind: "split", deep }).error.kind, "too_large");
  // Deeper than the engine's own JSON.stringify can go: still an error document, not a crash.
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(cw.evaluate({ kind: "split", deep }).error.kind, "invalid_request");
  const text = "[".repeat(100_000) + "]".repeat(100_000);
  assert.equal(JSON.parse(cw.evaluateJson(text)).error.kind, "too_large");
});

test("evaluateJson reports malformed text as invalid_request on field request", () => {
  const out = JSON.parse(cw.evaluateJson("{not json"));
  assert.equal(out.error.kind, "invalid_request");
  assert.equal(out.error.field, "request");
});

test("hostile values at every leaf of every vector never trap the module", () => {
  // A Rust panic would abort the wasm instance and every later call would fail; each mutated
  // request must come back as a response or an error document.
  const hostile = [
    null, true, 0, -1, 1e308, -1e308, 0.1, Number.MAX_SAFE_INTEGER, "", "-", "1e400", "NaN",
    "99999999999999999999999999999", "-0.000000000000000000000000001", "9999-12-31", "0000-01-01",
    "2024-02-30", "60.99%%", "%", "\u0000", "x".repeat(10_000), [], {}, [[[]]], { kind: "split" },
  ];
  const rng = seeded(1414);
  let runs = 0;
  for (const { doc } of vectors()) {
    const request = doc.request;
    if (request === null || typeof request !== "object") continue;
    const paths = [];
    const walk = (v, path) => {
      paths.push(path);
      if (v !== null && typeof v === "object") {
        for (const k of Object.keys(v)) walk(v[k], [...path, k]);
      }
    };
    walk(request, []);
    for (const path of paths) {
      if (path.length === 0) continue;
      for (let i = 0; i < 3; i++) {
        const copy = structuredClone(request);
        let at = copy;
        for (const k of path.slice(0, -1)) at = at[k];
        at[path.at(-1)] = rng.pick(hostile);
        const out = cw.evaluate(copy);
        assert.ok(out !== null && typeof out === "object", `no response for ${JSON.stringify(path)}`);
        runs++;
      }
    }
  }
  assert.ok(runs > 0);
  // The module is still alive.
  assert.ok(cw.programIds().length > 0);
});
