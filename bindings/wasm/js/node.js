// The Node entry of cwfinance: the wasm-bindgen `nodejs` build loads synchronously, so every
// function works at once; `init()` exists only so that code written for the web runs unchanged.
import { createRequire } from "node:module";
import { bindWasm } from "./api.js";

const wasm = createRequire(import.meta.url)("./node/cwfinance_wasm.js");
bindWasm(wasm);

export * from "./api.js";

/** Resolves at once: the Node build is ready on import. */
export function init() {
  return Promise.resolve();
}
