// The public types of the cwfinance package. Request and response types come from ./types.js,
// which is generated from the core's JSON Schemas (scripts/gen-types.mjs).
import type {
  Body,
  Kind,
  Request,
  Response,
  Responses,
  ProgramShowResponse,
  JsonValue,
  ErrorResponse,
  DataProblem,
  Level,
  LoadStats,
  MetricValue,
  Scorecard,
  SuppressionOptions,
  MetricId,
  Direction,
} from "./types.js";

export type * from "./types.js";

/** A program preset with every cited value (the response of `program.show`). */
export type Program = ProgramShowResponse;

/** The error thrown by every typed function. */
export interface CwfinanceError extends Error {
  name: "CwfinanceError";
  /** The stable error code, such as `shares_do_not_sum` or `not_a_decimal_string`. */
  code: string;
  /** The path of the offending field in the request, such as `funders[2].share`. */
  field: string;
  /** The offending value as text, when there is one. */
  value: string | null;
  /** For `invalid_data`: every problem found, with file, row, column and value. */
  problems?: DataProblem[];
}

/** Load the wasm module; in the browser call (and await) it once before anything else. */
export function init(source?: RequestInfo | URL | Response | BufferSource | WebAssembly.Module): Promise<void>;

/** Run any calculation document; an error is returned as an `{error: ...}` document. */
export function evaluate(request: Request | JsonValue): Response;
/** Run a calculation document given as JSON text; returns canonical JSON text. */
export function evaluateJson(text: string): string;
/** Run the calculation `kind` on `body`; throws a CwfinanceError. */
export function calculate<K extends Kind>(kind: K, body: Body<K>): Responses[K];

/** Allocate amounts across funders by share, to the cent. */
export function allocateSplit(body: Body<"split">): Responses["split"];
/** Derive funding shares from historical expenditures by funder. */
export function deriveSplit(body: Body<"split.derive">): Responses["split.derive"];
/** Bill enrollment spans month by month under a dated rate schedule. */
export function billCaseRate(body: Body<"case_rate.bill">): Responses["case_rate.bill"];
/** Apply a milestone schedule to a case's dated events. */
export function payMilestones(body: Body<"milestones.pay">): Responses["milestones.pay"];
/** Settle actual cost against a target through a risk corridor. */
export function settleCorridor(body: Body<"corridor.settle">): Responses["corridor.settle"];
/** Distribute retained savings between the provider and the region. */
export function distributeSavings(body: Body<"savings.distribute">): Responses["savings.distribute"];
/** Draw down a risk pool for children above a stop-loss attachment point. */
export function settleRiskPool(body: Body<"risk_pool.settle">): Responses["risk_pool.settle"];
/** Set a case rate from historical per-child monthly costs by region. */
export function rateFromHistory(body: Body<"rate.from_history">): Responses["rate.from_history"];
/** Reduce intake payments when length-of-stay standards are missed. */
export function adjustIntake(body: Body<"intake.adjust">): Responses["intake.adjust"];

/** Measure HB 1414 metrics from small inline tables. */
export function measureHb1414(body: Body<"hb1414.measure">): Responses["hb1414.measure"];
/** Score metric values against the HB 1414 goals in force. */
export function scoreHb1414(body: Body<"hb1414.score">): Responses["hb1414.score"];
/** Compare contractor and public mirror-unit outcomes with their targets. */
export function compareOutcomes(body: Body<"outcomes.compare">): Responses["outcomes.compare"];

/** A CSV file's content: UTF-8 text or bytes. */
export type FileContent = string | Uint8Array | ArrayBuffer;
/**
 * Case-level files (`children.csv`, `episodes.csv`, ... as in docs/data.md): an object by file
 * name, `[name, content]` pairs, or `{name, content}` objects.
 */
export type CaseFiles =
  | { [fileName: string]: FileContent }
  | Array<[string, FileContent]>
  | Array<{ name: string; content: FileContent }>;
/** Parsed rows by table: `{children: [{child_id: "C1", birth_date: "2010-01-01"}], ...}`. */
export type CaseRows = { [table: string]: Array<{ [column: string]: string | number | boolean | null }> };

/** Options of scoreCsv and scoreRows: the flags of `cwfinance hb1414 score`. */
export interface ScorecardOptions {
  /** The quarter, such as `2024Q3`; goals in force on its last day apply. */
  quarter: string;
  /** The units to score (default `provider`). */
  by?: Level;
  /** Hide cells whose denominator is from 1 to this minus 1; 0 shows all (default 11). */
  min_denominator?: number;
  /** Rescale each total to the weights actually scored (default false). */
  normalize?: boolean;
  /** Cap each item at 100% of its goal (default true). */
  cap_at_100?: boolean;
}

/** Scorecards for one quarter, with the published (suppressed) values behind them. */
export interface ScorecardsResponse {
  quarter: string;
  /** The phase in force, such as `phase_1`. */
  phase: string;
  by: Level;
  scorecards: Scorecard[];
  /** The published values at level `by`; a suppressed cell has `suppressed` and no value. */
  values: MetricValue[];
  suppression: SuppressionOptions;
  /** Rows read, used and excluded per table. */
  data: LoadStats;
}

/** HB 1414 scorecards for one quarter from case-level CSV files (like `cwfinance hb1414 score`). */
export function scoreCsv(files: CaseFiles, options: ScorecardOptions): ScorecardsResponse;
/** HB 1414 scorecards for one quarter from parsed rows. */
export function scoreRows(tables: CaseRows, options: ScorecardOptions): ScorecardsResponse;
/** HB 1414 metric values from case-level CSV files; the request is `hb1414.measure` without `data`. */
export function measureCsv(
  files: CaseFiles,
  request: Omit<Body<"hb1414.measure">, "data">,
): Responses["hb1414.measure"];
/** Load case-level CSV files and report rows read, used and excluded; throws `invalid_data`. */
export function checkCsv(files: CaseFiles): LoadStats;
/** Options of synthesizeCsv: those of `cwfinance synth`. */
export interface SynthOptions {
  seed?: number;
  /** Size relative to Missouri as a decimal string: "1" is about 13,000 children in care. */
  scale?: string;
  /** The last day of the data, YYYY-MM-DD (default 2024-12-31). */
  as_of?: string;
  /** Years of history (default 5). */
  years?: number;
}
/** The synthetic dataset as CSV `[[name, text], ...]`, as `cwfinance synth` writes it. */
export function synthesizeCsv(options?: SynthOptions): Array<[string, string]>;

/** A metric's definition. */
export interface MetricDefinition {
  id: MetricId;
  /** A short name for tables. */
  name: string;
  domain: string;
  numerator: string;
  denominator: string;
  exclusions: string;
  window: string;
  direction: Direction;
  unit: string;
  attribution: string;
  /** `file, section` of the rule. */
  citation: string;
}
/** Every HB 1414 / CFSR-style metric's definition, with its citation. */
export function metricDefinitions(): MetricDefinition[];

/** The ids of the built-in program presets, sorted. */
export function programIds(): string[];
/** A built-in program preset with every cited value. */
export function program(id: string): Program;
/** Every built-in program preset. */
export function programs(): Program[];
/** Load and check a user's own program (JSON text or object) in the preset format. */
export function loadProgram(source: string | { [key: string]: JsonValue }): Program;

/** Every calculation kind with its summary. */
export function kinds(): Array<{ name: Kind; summary: string }>;
/** Every error code a CwfinanceError can carry. */
export function errorCodes(): string[];
/** The size of the package's WebAssembly memory in bytes (it grows, never shrinks). */
export function wasmMemoryBytes(): number;
/** The version of the Rust core inside. */
export function version(): string;
/** True when a response document of `evaluate` is an error document. */
export function isErrorResponse(response: unknown): response is ErrorResponse;
/** True for an error thrown by cwfinance. */
export function isCwfinanceError(err: unknown): err is CwfinanceError;

/** @internal */
export function bindWasm(module: object): void;
