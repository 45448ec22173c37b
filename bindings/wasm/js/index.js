// The web entry of cwfinance: `import { init, settleCorridor } from "cwfinance"; await init();`
// The .wasm file is fetched from beside this module unless `init` is given another source.
import initWasm, * as wasm from "./web/cwfinance_wasm.js";
import { bindWasm } from "./api.js";

export * from "./api.js";

let ready = null;

/** Load the wasm module (once); resolves when every function is ready. */
export function init(source) {
  if (ready === null) {
    const module_or_path = source ?? new URL("./web/cwfinance_wasm_bg.wasm", import.meta.url);
    ready = initWasm({ module_or_path }).then(() => bindWasm(wasm));
  }
  return ready;
}
