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
/** The version of the Rust core inside. */
export function version(): string;
/** True when a response document of `evaluate` is an error document. */
export function isErrorResponse(response: unknown): response is ErrorResponse;
/** True for an error thrown by cwfinance. */
export function isCwfinanceError(err: unknown): err is CwfinanceError;

/** @internal */
export function bindWasm(module: object): void;
