// Shared by the node tests: the vector files, canonical JSON, and a seeded random generator.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const VECTORS = join(REPO, "tests", "vectors");

/** Every vector file under tests/vectors/, sorted, as {name, path, doc}. */
export function vectors() {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir).sort()) {
      const p = join(dir, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (entry.endsWith(".json")) {
        out.push({ name: relative(VECTORS, p), path: p, doc: JSON.parse(readFileSync(p, "utf8")) });
      }
    }
  };
  walk(VECTORS);
  return out;
}

/**
 * Canonical JSON as the Rust core writes it (serde_json over a BTreeMap): keys sorted, no
 * whitespace. Written here independently of the core, so the comparison checks the core's bytes.
 */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A small seeded generator (mulberry32), so a failing property run can be replayed. */
export function seeded(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

/** Cents of a decimal string ("-12.34" -> -1234n), exactly, as a BigInt. */
export function cents(text) {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new Error(`not an amount with at most 2 decimals: ${text}`);
  const value = BigInt(m[2]) * 100n + BigInt((m[3] ?? "0").padEnd(2, "0"));
  return m[1] ? -value : value;
}

/** Inline rows of an `hb1414.measure` document as CSV files `[[name, text], ...]`. */
export function rowsToCsv(tables) {
  const quote = (v) => {
    const s = v === null || v === undefined ? "" : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return Object.entries(tables).map(([table, rows]) => {
    const columns = [];
    for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
    const lines = [columns.join(","), ...rows.map((r) => columns.map((c) => quote(r[c])).join(","))];
    return [`${table}.csv`, lines.join("\n") + "\n"];
  });
}
