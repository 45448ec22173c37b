// Every cross-language vector in tests/vectors/ must give, byte for byte, the response the Rust
// core gives (the `expected` of the file, in canonical JSON).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as cw from "../pkg/node.js";
import { canonical, vectors } from "./helpers.mjs";

const all = vectors();

test("the vector folder is not empty", () => {
  assert.ok(all.length > 0, "no vectors found in tests/vectors/");
});

for (const { name, doc } of all) {
  test(`vector ${name}`, () => {
    const expected = canonical(doc.expected);
    // The text path: what the Rust runner does (request as JSON text, canonical text back).
    assert.equal(cw.evaluateJson(JSON.stringify(doc.request)), expected);
    // The object path: a JS object in, a JS object out, the same bytes.
    assert.equal(canonical(cw.evaluate(doc.request)), expected);
  });
}

test("every kind the package knows has a vector", () => {
  const covered = new Set(all.map((v) => v.doc.request?.kind));
  for (const { name } of cw.kinds()) assert.ok(covered.has(name), `no vector for kind ${name}`);
});
