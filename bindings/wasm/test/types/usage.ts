// Compiled by build.sh with `tsc --strict --noEmit`: the package's public types must describe
// real use, and must refuse a JS number where the core requires a decimal string.
import {
  init,
  evaluate,
  calculate,
  programIds,
  program,
  isCwfinanceError,
  isErrorResponse,
  settleCorridor,
  scoreCsv,
  type ScorecardsResponse,
  type Request,
  type Response,
  type Body,
} from "../../pkg/index.js";

export async function usage(): Promise<void> {
  await init();
  const ids: string[] = programIds();
  const preset = program(ids[0] ?? "commonworks-1998");
  const name: string = preset.name;
  const cited: string | undefined = preset.citations["case_rate.rates[0].amount"]?.source ?? undefined;

  const request: Request = { kind: "program.show", program: "commonworks-1998" };
  const response: Response = evaluate(request);
  if (isErrorResponse(response)) {
    const code: string = response.error.kind;
    void code;
  }
  const body: Body<"program.show"> = { program: "commonworks-1998" };
  const shown = calculate("program.show", body);
  const sources: string[] = shown.sources;

  try {
    calculate("program.show", { program: "no-such-program" });
  } catch (err) {
    if (isCwfinanceError(err)) {
      const field: string = err.field;
      const value: string | null = err.value;
      void field;
      void value;
    }
  }
  // Money is a decimal string: the settlement's figures are strings too.
  const settled = settleCorridor({
    program: "commonworks-1998",
    as_of: "1999-07-15",
    target: "100000.00",
    actual: "103000.00",
  });
  const providerShare: string = settled.provider_share;
  // @ts-expect-error a JS number where the core requires a decimal string does not type-check
  settleCorridor({ program: "commonworks-1998", as_of: "1999-07-15", target: 100000, actual: "1.00" });

  const cards: ScorecardsResponse = scoreCsv({ "children.csv": "child_id,birth_date\n" }, { quarter: "2024Q3" });
  const firstTotal: string | undefined = cards.scorecards[0]?.total;
  const suppressed = cards.values.filter((v) => v.suppressed !== undefined && v.suppressed !== null);

  void providerShare;
  void firstTotal;
  void suppressed;
  void name;
  void cited;
  void sources;
}
