// The public API of the cwfinance package, shared by the web (index.js) and Node (node.js) entries.
//
// Every function is thin: it builds a calculation request and hands it to the Rust core through
// the wasm module. No rule is computed here. Money crosses as decimal strings ("4476.00",
// "60.99%"); a JS number where a decimal string is required comes back from the core as a
// CwfinanceError with code "not_a_decimal_string".

let wasm = null;

/** @internal Called once by the entry module when the wasm module is ready. */
export function bindWasm(module) {
  wasm = module;
}

function core() {
  if (wasm === null) {
    const err = new Error("cwfinance is not initialised yet: `await init()` before calling it");
    err.name = "CwfinanceError";
    err.code = "not_initialised";
    err.field = "";
    err.value = null;
    throw err;
  }
  return wasm;
}

// ---- any calculation document ------------------------------------------------------------

/** Run any calculation document (an object); errors are returned as `{error: {...}}`. */
export function evaluate(request) {
  return core().evaluate(request);
}

/** Run a calculation document given as JSON text; returns canonical JSON text. */
export function evaluateJson(text) {
  return core().evaluateJson(text);
}

/** Run the calculation `kind` on `body`; returns the response or throws a CwfinanceError. */
export function calculate(kind, body = {}) {
  return core().call(kind, body);
}

// ---- one typed function per capability ---------------------------------------------------

/** Allocate amounts across funders by share, to the cent (`split`). */
export const allocateSplit = (body) => calculate("split", body);
/** Derive funding shares from historical expenditures by funder (`split.derive`). */
export const deriveSplit = (body) => calculate("split.derive", body);
/** Bill enrollment spans month by month under a dated rate schedule (`case_rate.bill`). */
export const billCaseRate = (body) => calculate("case_rate.bill", body);
/** Apply a milestone schedule to a case's dated events (`milestones.pay`). */
export const payMilestones = (body) => calculate("milestones.pay", body);
/** Settle actual cost against a target through a risk corridor (`corridor.settle`). */
export const settleCorridor = (body) => calculate("corridor.settle", body);
/** Distribute retained savings between the provider and the region (`savings.distribute`). */
export const distributeSavings = (body) => calculate("savings.distribute", body);
/** Draw down a risk pool above a stop-loss attachment point (`risk_pool.settle`). */
export const settleRiskPool = (body) => calculate("risk_pool.settle", body);
/** Set a case rate from historical per-child monthly costs by region (`rate.from_history`). */
export const rateFromHistory = (body) => calculate("rate.from_history", body);
/** Reduce intake payments when length-of-stay standards are missed (`intake.adjust`). */
export const adjustIntake = (body) => calculate("intake.adjust", body);

/** Measure HB 1414 metrics from small inline tables (`hb1414.measure`). */
export const measureHb1414 = (body) => calculate("hb1414.measure", body);
/** Score metric values against the HB 1414 goals in force (`hb1414.score`). */
export const scoreHb1414 = (body) => calculate("hb1414.score", body);
/** Compare contractor and public mirror-unit outcomes with their targets (`outcomes.compare`). */
export const compareOutcomes = (body) => calculate("outcomes.compare", body);

// ---- HB 1414 from case-level files ---------------------------------------------------------

/**
 * Case-level files as parallel name and content lists. Accepts an object `{"children.csv":
 * text, ...}`, an array of `[name, content]` pairs, or an array of `{name, content}`; a content
 * is a string or a Uint8Array (or ArrayBuffer) of UTF-8 CSV.
 */
function fileLists(files) {
  const entries = Array.isArray(files)
    ? files.map((f) => (Array.isArray(f) ? f : [f?.name, f?.content]))
    : Object.entries(files ?? {});
  const names = [];
  const contents = [];
  for (const [name, content] of entries) {
    names.push(String(name));
    contents.push(content instanceof ArrayBuffer ? new Uint8Array(content) : content);
  }
  return [names, contents];
}

/** HB 1414 scorecards for one quarter from case-level CSV files (like `cwfinance hb1414 score`). */
export function scoreCsv(files, options) {
  const [names, contents] = fileLists(files);
  return core().scoreCsv(names, contents, options);
}

/** HB 1414 scorecards for one quarter from parsed rows (`{children: [...], episodes: [...]}`). */
export function scoreRows(tables, options) {
  return core().scoreRows(tables, options);
}

/** HB 1414 metric values from case-level CSV files; `request` is `hb1414.measure` without `data`. */
export function measureCsv(files, request) {
  const [names, contents] = fileLists(files);
  return core().measureCsv(names, contents, request);
}

/** Load case-level CSV files and report rows read, used and excluded; throws `invalid_data`. */
export function checkCsv(files) {
  const [names, contents] = fileLists(files);
  return core().checkCsv(names, contents);
}

/** The synthetic dataset as CSV `[[name, text], ...]`, as `cwfinance synth` writes it. */
export function synthesizeCsv(options = {}) {
  return core().synthesizeCsv(options);
}

/** Every HB 1414 / CFSR-style metric's definition, with its citation. */
export function metricDefinitions() {
  return core().metricDefinitions();
}

// ---- programs ------------------------------------------------------------------------------

/** The ids of the built-in program presets, sorted. */
export function programIds() {
  return core().programIds();
}

/** A built-in program preset with every cited value. */
export function program(id) {
  return core().program(id);
}

/** Every built-in program preset. */
export function programs() {
  return programIds().map((id) => program(id));
}

/** Load and check a user's own program (JSON text or object) in the preset format. */
export function loadProgram(source) {
  return core().loadProgram(source);
}

// ---- about the package ---------------------------------------------------------------------

/** Every calculation kind with its summary. */
export function kinds() {
  return core().kindList().map(([name, summary]) => ({ name, summary }));
}

/** Every error code a CwfinanceError can carry. */
export function errorCodes() {
  return core().errorCodes();
}

/** The size of the package's WebAssembly memory in bytes (it grows, never shrinks). */
export function wasmMemoryBytes() {
  return core().wasmMemoryBytes();
}

/** The version of the Rust core inside. */
export function version() {
  return core().version();
}

/** True when a response document of `evaluate` is an error document. */
export function isErrorResponse(response) {
  return (
    response !== null &&
    typeof response === "object" &&
    typeof response.error === "object" &&
    response.error !== null &&
    typeof response.error.kind === "string"
  );
}

/** True for an error thrown by cwfinance. */
export function isCwfinanceError(err) {
  return err instanceof Error && err.name === "CwfinanceError" && typeof err.code === "string";
}
