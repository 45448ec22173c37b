"""Benchmarks of the Python package against the Rust core and a plain pandas reference.

Run (after a release build of the package: `cd bindings/python && maturin develop --release`),
after the Rust baseline (`cargo bench -p cwfinance-benches --bench pipelines`), whose medians
this script reads from `target/criterion/` to print the binding's overhead:

    python benches/python/bench.py            # every case, scale 1
    python benches/python/bench.py --quick    # a 10% dataset and 100,000 child-months

Each case runs in its own subprocess, so its peak resident memory (ru_maxrss) is its own. Times
are the median (and best) of --repeat runs of the timed call; data preparation (generating the
synthetic dataset, building DataFrames) is not timed but counts in the peak memory.

Cases, each the same job as a Rust case of `benches/benches/pipelines.rs`:
- hb1414_from_pandas: score the synthetic dataset from pandas DataFrames (text, datetime64 dates,
  booleans): cw.measure over 20 quarters and every level, then cw.score of the providers for the
  last quarter. Rust: pipelines/hb1414_columns_to_scorecards/scale_1.
- hb1414_breakdown: the same job step by step (pandas to Arrow, the binding's work inside the
  call, the core, the Python layer, units(), score), medians in milliseconds.
- pandas_reference: worker/child visits and re-entry in 12 months, system level, 20 quarters,
  written in vectorised pandas (no row loops).
- billing_from_arrow: bill 1,000,000 child-months (100,000 enrollments of 10 months, split six
  ways) from a pyarrow Table without a child column. Rust: pipelines/bill_table/100000_enrollments.
  Also reports the time inside the core in the same call.
- billing_from_arrow_with_child: the same, carrying each enrollment's child id into its lines.
- billing_from_pandas: the same (with child ids) from a pandas DataFrame (datetime64 dates).
- split_from_arrow: split a million payments ($3,329.00 to $4,328.00, decimal128) six ways
  (Missouri) with cw.split_frame. Rust: pipelines/split_table/1000000_amounts.
- settle_from_arrow: a million Commonworks settlements ($100,000 targets, actual costs $90,000 to
  $110,000, decimal128) on 1999-07-15 with cw.settle_frame. Rust:
  pipelines/settle_table/1000000_rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

QUARTERS = {"granularity": "quarter", "first": "2020-01-01", "count": 20}


def _timed(fn: Any, repeat: int) -> tuple[dict[str, float], Any]:
    """Median and best seconds of `repeat` calls, and the last result."""
    runs = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t)
    return {"seconds": statistics.median(runs), "best": min(runs)}, out


def _criterion_median(name: str) -> float | None:
    """The median, in seconds, of a Rust criterion bench run on this checkout, if any."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    path = root / "target" / "criterion" / name / "new" / "estimates.json"
    try:
        return float(json.loads(path.read_text())["median"]["point_estimate"]) / 1e9
    except (OSError, KeyError, ValueError):
        return None


def _dataset(scale: str) -> dict[str, Any]:
    import cwfinance as cw

    return cw.synthetic_dataset(1, scale=scale)


def case_hb1414_from_pandas(scale: str, repeat: int) -> dict[str, Any]:
    import cwfinance as cw

    # Dates as datetime64 columns, as pandas users hold them (pd.read_csv(parse_dates=...)).
    frames = {k: v.to_pandas(date_as_object=False) for k, v in _dataset(scale).items()}

    runs, cores = [], []
    cards = None
    for _ in range(repeat):
        m = cards = None
        t = time.perf_counter()
        m = cw.measure(frames, periods=QUARTERS)
        cards = cw.score(m.units(), as_of="2024-12-31")
        runs.append(time.perf_counter() - t)
        cores.append(m.core_seconds)
    assert cards is not None
    rows = sum(len(f) for f in frames.values())
    return {
        "seconds": statistics.median(runs),
        "best": min(runs),
        **_overhead(runs, cores),
        "rows": rows,
        "scorecards": len(cards.scorecards),
    }


def _overhead(runs: list[float], cores: list[float]) -> dict[str, Any]:
    """The binding's time in each call (the call less the core's time in it): its median, and
    that median over the core's median time."""
    binding = statistics.median(t - c for t, c in zip(runs, cores))
    core = statistics.median(cores)
    return {
        "core_s": round(core, 4),
        "binding_ms": round(1000 * binding, 1),
        "over_core": f"{100 * binding / core:+.1f}%",
    }


def case_hb1414_breakdown(scale: str, repeat: int) -> dict[str, Any]:
    """Where the time of case hb1414_from_pandas goes, step by step (medians, ms)."""
    import cwfinance as cw
    from cwfinance import _lowlevel
    from cwfinance._frames import _measure_request, to_arrow_table
    from cwfinance._results import Measurement

    frames = {k: v.to_pandas(date_as_object=False) for k, v in _dataset(scale).items()}
    steps: dict[str, list[float]] = {
        "to_arrow_ms": [], "binding_in_call_ms": [], "core_ms": [], "python_layer_ms": [],
        "units_ms": [], "score_ms": [],
    }
    for _ in range(repeat):
        t0 = time.perf_counter()
        tables = [(k, to_arrow_table(v)) for k, v in frames.items()]
        t1 = time.perf_counter()
        text, values, core = _lowlevel.measure_arrow(tables, _measure_request(QUARTERS, None, None, None, None))
        t2 = time.perf_counter()
        m = Measurement._from_arrow(json.loads(text), values, core)
        t3 = time.perf_counter()
        units = m.units()
        t4 = time.perf_counter()
        cw.score(units, as_of="2024-12-31")
        t5 = time.perf_counter()
        for k, v in zip(steps, [t1 - t0, t2 - t1 - core, core, t3 - t2, t4 - t3, t5 - t4]):
            steps[k].append(1000 * v)
    total = sum(statistics.median(v) for v in steps.values())
    return {"seconds": total / 1000, "best": total / 1000,
            **{k: round(statistics.median(v), 1) for k, v in steps.items()}}


def case_pandas_reference(scale: str, repeat: int) -> dict[str, Any]:
    import pandas as pd

    frames = {k: v.to_pandas(date_as_object=False) for k, v in _dataset(scale).items()}
    episodes = frames["episodes"].copy()
    visits = frames["visits"]
    for c in ("removal_date", "exit_date"):
        episodes[c] = pd.to_datetime(episodes[c])
    quarters = pd.period_range("2020Q1", periods=20, freq="Q")

    def worker_child_visits() -> pd.Series:
        # Child-months in care from the first to the last day of the month, and those with at
        # least one worker/child visit dated in the month.
        months = pd.period_range("2020-01", "2024-12", freq="M")
        m = pd.DataFrame({"month": months, "first": months.to_timestamp(how="start"),
                          "last": months.to_timestamp(how="end").normalize()})
        e = episodes[["child_id", "removal_date", "exit_date"]]
        cm = e.merge(m, how="cross")
        in_care = (cm.removal_date <= cm["first"]) & (
            cm.exit_date.isna() | (cm.exit_date > cm["last"])
        )
        cm = cm.loc[in_care, ["child_id", "month"]].drop_duplicates()
        v = visits.loc[visits.kind == "worker_child", ["child_id", "visit_date"]]
        v = pd.DataFrame({"child_id": v.child_id,
                          "month": pd.to_datetime(v.visit_date).dt.to_period("M")}).drop_duplicates()
        cm = cm.merge(v.assign(visited=True), on=["child_id", "month"], how="left")
        cm["quarter"] = cm.month.dt.asfreq("Q")
        g = cm.groupby("quarter").agg(den=("child_id", "size"), num=("visited", "count"))
        return (g.num / g.den).reindex(quarters)

    def reentry() -> pd.Series:
        # Exits by reunification, relative or guardianship, 12 months before the quarter, and
        # those followed by a new removal within 12 months.
        ex = episodes.loc[
            episodes.exit_reason.isin(["reunification", "living_with_relative", "guardianship"]),
            ["child_id", "exit_date"],
        ].reset_index(names="exit_id")
        nxt = ex.merge(episodes[["child_id", "removal_date"]], on="child_id")
        back = (nxt.removal_date > nxt.exit_date) & (
            nxt.removal_date <= nxt.exit_date + pd.DateOffset(months=12)
        )
        returned = set(nxt.loc[back, "exit_id"])
        ex["returned"] = ex.exit_id.isin(returned)
        ex["quarter"] = (ex.exit_date + pd.DateOffset(months=12)).dt.to_period("Q")
        g = ex.groupby("quarter").agg(den=("exit_id", "size"), num=("returned", "sum"))
        return (g.num / g.den).reindex(quarters)

    times, (visits_rate, reentry_rate) = _timed(lambda: (worker_child_visits(), reentry()), repeat)
    return {
        **times,
        "worker_child_visits_2024Q3": round(float(visits_rate.loc["2024Q3"]), 4),
        "reentry_2024Q3": round(float(reentry_rate.loc["2024Q3"]), 4),
    }


def _enrollments(n: int) -> Any:
    import pyarrow as pa

    # As the Rust bench: enrolled on the 2nd..28th of March 1999 for 9 months, extension
    # authorised, billed to 2001-01-01: 10 calendar months, so 10 lines each.
    starts = [dt.date(1999, 3, 2 + i % 27) for i in range(n)]
    ends = [dt.date(1999, 12, 2 + i % 27) for i in range(n)]
    return pa.table({
        "child": pa.array([f"C{i:07d}" for i in range(n)]),
        "start": pa.array(starts, pa.date32()),
        "end": pa.array(ends, pa.date32()),
        "extension_authorised": pa.array([True] * n),
    })


BILLING = {"as_of": "2001-01-01", "program": "missouri-interdepartmental-initiative", "split": True}


def _billing(table: Any, repeat: int) -> dict[str, Any]:
    import cwfinance as cw

    runs, cores = [], []
    out = None
    for _ in range(repeat):
        # Free the previous result (a million lines) before the clock starts: the call is timed,
        # not the release of the last call's memory.
        out = None
        t = time.perf_counter()
        out = cw.bill_frame(table, **BILLING)
        runs.append(time.perf_counter() - t)
        cores.append(out.core_seconds)
    assert out is not None
    return {
        "seconds": statistics.median(runs),
        "best": min(runs),
        **_overhead(runs, cores),
        "lines": out.line_count,
        "grand_total": str(out.grand_total),
    }


def case_billing_from_arrow(n: int, repeat: int) -> dict[str, Any]:
    return _billing(_enrollments(n).drop_columns(["child"]), repeat)


def case_billing_from_arrow_with_child(n: int, repeat: int) -> dict[str, Any]:
    return _billing(_enrollments(n), repeat)


def case_billing_from_pandas(n: int, repeat: int) -> dict[str, Any]:
    return _billing(_enrollments(n).to_pandas(date_as_object=False), repeat)


def case_split_from_arrow(n: int, repeat: int) -> dict[str, Any]:
    import decimal

    import pyarrow as pa

    import cwfinance as cw

    cents = [(3_329 + i % 1_000) * 100 for i in range(n)]
    table = pa.table({"amount": pa.array([decimal.Decimal(c).scaleb(-2) for c in cents],
                                         pa.decimal128(18, 2))})
    times, out = _timed(
        lambda: cw.split_frame(table, program="missouri-interdepartmental-initiative"), repeat
    )
    return {**times, "rows": out.num_rows, "columns": out.num_columns}


def case_settle_from_arrow(n: int, repeat: int) -> dict[str, Any]:
    import decimal

    import pyarrow as pa

    import cwfinance as cw

    money = pa.decimal128(18, 2)
    table = pa.table({
        "target": pa.array([decimal.Decimal(100_000)] * n, money),
        "actual": pa.array([decimal.Decimal(90_000 + (i % 2_001) * 10) for i in range(n)], money),
    })
    times, out = _timed(
        lambda: cw.settle_frame(table, program="commonworks-1998", as_of="1999-07-15"), repeat
    )
    return {**times, "rows": out.num_rows}


CASES = {
    "hb1414_from_pandas": case_hb1414_from_pandas,
    "hb1414_breakdown": case_hb1414_breakdown,
    "pandas_reference": case_pandas_reference,
    "billing_from_arrow": case_billing_from_arrow,
    "billing_from_arrow_with_child": case_billing_from_arrow_with_child,
    "billing_from_pandas": case_billing_from_pandas,
    "split_from_arrow": case_split_from_arrow,
    "settle_from_arrow": case_settle_from_arrow,
}

# The Rust job each case repeats (benches/benches/pipelines.rs), for the overhead ratio.
RUST = {
    "hb1414_from_pandas": "pipelines/hb1414_columns_to_scorecards_scale_1",
    "billing_from_arrow": "pipelines/bill_table_100000_enrollments",
    "billing_from_arrow_with_child": "pipelines/bill_table_100000_enrollments",
    "billing_from_pandas": "pipelines/bill_table_100000_enrollments",
    "split_from_arrow": "pipelines/split_table_1000000_amounts",
    "settle_from_arrow": "pipelines/settle_table_1000000_rows",
}


def run_one(name: str, size: str, repeat: int) -> None:
    fn = CASES[name]
    arg: Any = int(size) if name.startswith(("billing", "split", "settle")) else size
    result = fn(arg, repeat)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--case")
    ap.add_argument("--size")
    args = ap.parse_args()
    if args.case:
        run_one(args.case, args.size, args.repeat)
        return
    scale = "0.1" if args.quick else "1"
    children = "10000" if args.quick else "100000"
    splits = "100000" if args.quick else "1000000"
    print(f"{'case':<30} {'size':>8} {'median s':>9} {'best s':>8} {'RSS MB':>7}  details")
    for name in CASES:
        size = {"billing": children, "split": splits, "settle": splits}.get(
            name.split("_")[0], scale
        )
        proc = subprocess.run(
            [sys.executable, __file__, "--case", name, "--size", size, "--repeat", str(args.repeat)],
            capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            print(f"{name}: failed\n{proc.stderr[-2000:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        rust = _criterion_median(RUST[name]) if name in RUST and not args.quick else None
        if rust is not None:
            r["rust_median_s"] = round(rust, 4)
            r["over_rust"] = f"{100 * (r['seconds'] - rust) / rust:+.1f}%"
        details = {k: v for k, v in r.items() if k not in ("seconds", "best", "peak_rss_mb")}
        print(
            f"{name:<30} {size:>8} {r['seconds']:>9.3f} {r['best']:>8.3f} "
            f"{r['peak_rss_mb']:>7}  {details}"
        )


if __name__ == "__main__":
    main()
