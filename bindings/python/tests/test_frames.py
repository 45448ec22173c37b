"""DataFrames: the same results from pandas, polars and pyarrow inputs; money as decimal128."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import cwfinance as cw

MISSOURI = "missouri-interdepartmental-initiative"

ENROLLMENTS = {
    "child": ["A", "B", "C", "D"],
    "start": [dt.date(1999, 3, 15), dt.date(1999, 3, 1), dt.date(1999, 4, 10), dt.date(1999, 3, 1)],
    "end": [None, dt.date(1999, 4, 1), None, dt.date(1999, 12, 1)],
}


def _same(a: pa.Table, b: pa.Table) -> bool:
    """Equal content (pandas 3 exports text as large_string, the others as string)."""
    return bool(a.column_names == b.column_names and a.to_pylist() == b.to_pylist())


def _inputs(data: dict[str, list[Any]]) -> dict[str, Any]:
    arrow = pa.table(data)
    return {
        "pyarrow": arrow,
        "pandas": pd.DataFrame(data),
        "polars": pl.DataFrame(data),
        "pandas_datetime": arrow.to_pandas(types_mapper=None).assign(
            **{k: pd.to_datetime(v) for k, v in pd.DataFrame(data).items()
               if k in ("start", "end")}
        ),
    }


def test_bill_frame_identical_across_libraries() -> None:
    results = {
        name: cw.bill_frame(frame, as_of="1999-06-01", program=MISSOURI, split=True)
        for name, frame in _inputs(ENROLLMENTS).items()
    }
    first = results["pyarrow"]
    for name, r in results.items():
        assert _same(r.lines, first.lines), name
        assert r.grand_total == first.grand_total
    assert first.lines.schema.field("amount").type == pa.decimal128(18, 2)
    for funder in first.by_funder:
        assert first.lines.schema.field(funder).type == pa.decimal128(18, 2)
    # D (from March) is cut after its 6-month maximum? No: May is its third month.
    assert first.cut_at_maximum == []
    assert sum(first.by_funder.values()) == first.grand_total


def test_bill_frame_matches_the_document_path() -> None:
    table = pa.table(ENROLLMENTS)
    batch = cw.bill_frame(table, as_of="1999-06-01", program=MISSOURI)
    doc = cw.bill(
        [{k: v for k, v in row.items() if v is not None} for row in table.to_pylist()],
        as_of="1999-06-01",
        program=MISSOURI,
    )
    assert batch.grand_total == doc.totals.grand_total
    lines = batch.lines.to_pylist()
    assert [(r["child"], r["month"], r["amount"]) for r in lines] == [
        (line.child, line.month, line.amount) for line in doc.lines
    ]


def test_results_as_pandas_and_polars() -> None:
    b = cw.bill_frame(pa.table(ENROLLMENTS), as_of="1999-06-01", program=MISSOURI, to="pandas")
    assert isinstance(b.lines, pd.DataFrame)
    assert isinstance(b.lines["amount"].iloc[0], Decimal)
    assert b.lines["amount"].dtype != "float64"
    p = cw.bill_frame(pa.table(ENROLLMENTS), as_of="1999-06-01", program=MISSOURI, to="polars")
    assert isinstance(p.lines, pl.DataFrame)
    assert p.lines.schema["amount"] == pl.Decimal(18, 2)
    assert "Billing summary" in b._repr_html_()


def test_split_frame_identical_across_libraries_and_adds_up() -> None:
    data = {"id": [1, 2, 3], "amount": ["3329.00", "0.05", "-3329.00"]}
    outs = [
        cw.split_frame(frame, program=MISSOURI)
        for name, frame in _inputs(data).items() if name != "pandas_datetime"
    ]
    for o in outs[1:]:
        assert _same(o, outs[0])
    funders = [c for c in outs[0].column_names if c not in ("id", "amount")]
    assert len(funders) == 6
    for row in outs[0].to_pylist():
        assert sum(row[f] for f in funders) == row["amount"]


def test_settle_frame_identity_across_libraries() -> None:
    data = {
        "provider": ["a", "b", "c"],
        "target": ["100000.00", "100000.00", "100000.00"],
        "actual": ["105000.00", "95000.00", "101234.56"],
    }
    outs = [
        cw.settle_frame(f, program="commonworks-1998", as_of="1999-07-15")
        for n, f in _inputs(data).items() if n != "pandas_datetime"
    ]
    for o in outs[1:]:
        assert _same(o, outs[0])
    rows = outs[0].to_pylist()
    assert [r["payer_share"] for r in rows] == [Decimal("2000.00"), Decimal("-2000.00"), Decimal("0.00")]
    for r in rows:
        assert r["provider_share"] + r["payer_share"] == Decimal(r["actual"]) - Decimal(r["target"])


def test_measure_identical_across_libraries() -> None:
    ds = cw.synthetic_dataset(3, scale="0.01")
    periods = {"granularity": "quarter", "first": dt.date(2024, 4, 1), "count": 2}
    kwargs: dict[str, Any] = {"periods": periods, "by": ["system", "provider"]}
    from_arrow = cw.measure(ds, **kwargs).to_dict()
    from_pandas = cw.measure({k: v.to_pandas() for k, v in ds.items()}, **kwargs).to_dict()
    from_polars = cw.measure({k: pl.from_arrow(v) for k, v in ds.items()}, **kwargs).to_dict()
    assert from_arrow == from_pandas == from_polars
    assert cw.canonical_json(from_arrow) == cw.canonical_json(from_pandas)


def test_synthetic_dataset_is_deterministic_and_typed() -> None:
    a = cw.synthetic_dataset(11, scale="0.01")
    b = cw.synthetic_dataset(11, scale="0.01", to="pandas")
    assert a["children"].num_rows == len(b["children"])
    assert _same(pa.Table.from_pandas(b["children"], preserve_index=False), a["children"])
    tables = cw.dataset_tables()
    assert tables["episodes"]["columns"]["removal_date"]["type"] == "date"


def test_unknown_input_type() -> None:
    with pytest.raises(TypeError, match="Arrow-compatible"):
        cw.bill_frame(42, as_of="1999-05-01", program=MISSOURI)


def test_measure_csv_matches_measure_from_frames(tmp_path: Any) -> None:
    ds = cw.synthetic_dataset(5, scale="0.01")
    periods = {"granularity": "month", "first": "2024-10-01", "count": 3}
    paths = []
    for name, table in ds.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(table.to_pandas().to_csv(index=False))
        paths.append(path)
    from_files = cw.measure_csv(paths, periods=periods, by=["system", "region"])
    from_frames = cw.measure(ds, periods=periods, by=["system", "region"])
    assert from_files["values"] == from_frames["values"]


def test_measure_from_tables_matches_the_document_vector() -> None:
    import json

    from conftest import VECTORS_DIR

    doc = json.loads((VECTORS_DIR / "hb1414.measure" / "visits_hcy_maltreatment.json").read_text())
    req = doc["request"]
    kwargs = {k: req[k] for k in ("periods", "metrics", "by", "options", "suppression") if k in req}
    inline = cw.measure_inline(req["data"], **kwargs)
    columns = {
        name: pa.Table.from_pylist([{k: v for k, v in r.items()} for r in rows])
        for name, rows in req["data"].items()
    }
    framed = cw.measure(columns, **kwargs)
    assert cw.canonical_json(framed.to_dict()) == cw.canonical_json(inline.to_dict())
    if doc.get("expected") is not None:
        assert cw.canonical_json(framed.to_dict()) == cw.canonical_json(doc["expected"])


def test_measure_and_billing_from_duckdb_results() -> None:
    duckdb = pytest.importorskip("duckdb")
    ds = cw.synthetic_dataset(3, scale="0.01")
    periods = {"granularity": "quarter", "first": dt.date(2024, 4, 1), "count": 2}
    kwargs: dict[str, Any] = {"periods": periods, "by": ["system", "provider"]}
    con = duckdb.connect()
    for name, table in ds.items():
        con.register(f"src_{name}", table)
    # DuckDB relations speak the Arrow PyCapsule stream interface; nothing is converted first.
    relations = {name: con.sql(f"select * from src_{name}") for name in ds}
    from_duckdb = cw.measure(relations, **kwargs).to_dict()
    assert cw.canonical_json(from_duckdb) == cw.canonical_json(cw.measure(ds, **kwargs).to_dict())

    con.register("enrollments", pa.table(ENROLLMENTS))
    billed = cw.bill_frame(con.sql("select * from enrollments"), as_of="1999-06-01",
                           program=MISSOURI, split=True)
    reference = cw.bill_frame(pa.table(ENROLLMENTS), as_of="1999-06-01", program=MISSOURI, split=True)
    assert billed.grand_total == reference.grand_total
    assert billed.by_funder == reference.by_funder


def test_measure_reads_typed_columns_as_their_text_or_day() -> None:
    """Integer ids, categorical codes and timestamps mean what their text or day means."""
    ds = cw.synthetic_dataset(4, scale="0.01")
    periods = {"granularity": "quarter", "first": dt.date(2024, 4, 1), "count": 1}
    kwargs: dict[str, Any] = {"periods": periods, "by": ["system", "circuit"]}
    reference = cw.canonical_json(cw.measure(ds, **kwargs).to_dict())
    frames = {k: v.to_pandas(date_as_object=False) for k, v in ds.items()}
    episodes = frames["episodes"]
    episodes["circuit"] = episodes["circuit"].astype("int64")  # read_csv infers circuits as ints
    episodes["exit_reason"] = episodes["exit_reason"].astype("category")
    # Timestamps in nanoseconds, with a time of day: the calendar day counts.
    episodes["removal_date"] = episodes["removal_date"].astype("datetime64[ns]") + pd.Timedelta(hours=13)
    assert cw.canonical_json(cw.measure(frames, **kwargs).to_dict()) == reference


def test_zoned_timestamps_count_their_local_day() -> None:
    # Removed at 23:30 in Missouri on 2024-06-30 (04:30 UTC on 2024-07-01) and out the same day:
    # read as the local day the episode is valid; read as the UTC day it would end before it
    # began (exit_before_removal).
    children = pa.table({"child_id": ["C1"], "birth_date": [dt.date(2012, 1, 1)]})
    removal = pd.Series(pd.to_datetime(["2024-06-30 23:30"])).dt.tz_localize("America/Chicago")

    def episodes(exit_day: dt.date) -> pd.DataFrame:
        return pd.DataFrame({"child_id": ["C1"], "removal_date": removal,
                             "exit_date": [exit_day], "exit_reason": ["reunification"],
                             "county": ["Greene"], "circuit": ["31"], "region": ["Southwest"]})

    periods = {"granularity": "month", "first": dt.date(2024, 6, 1), "count": 1}
    m = cw.measure({"children": children, "episodes": episodes(dt.date(2024, 6, 30))},
                   periods=periods, by=["system"])
    assert m.data.tables["episodes"].used == 1
    with pytest.raises(cw.InvalidDataError) as info:
        cw.measure({"children": children, "episodes": episodes(dt.date(2024, 6, 29))},
                   periods=periods, by=["system"])
    assert [p.code for p in info.value.problems] == ["exit_before_removal"]


def test_every_bad_row_of_a_frame_is_listed_once() -> None:
    ds = cw.synthetic_dataset(6, scale="0.01")
    frames = {k: v.to_pandas(date_as_object=False) for k, v in ds.items()}
    visits = frames["visits"]
    visits.loc[3, "child_id"] = "NO SUCH CHILD"
    visits.loc[7, "kind"] = "telepathy"
    with pytest.raises(cw.InvalidDataError) as info:
        cw.measure(frames, periods={"granularity": "month", "first": "2024-01-01", "count": 1})
    got = [(p.file, p.row, p.column, p.value, p.code) for p in info.value.problems]
    # Rows are 1-based: DataFrame index 3 is row 4.
    assert got == [
        ("visits", 4, "child_id", "NO SUCH CHILD", "unknown_child"),
        ("visits", 8, "kind", "telepathy", "unknown_code"),
    ]


def test_measurement_reports_the_time_spent_in_the_core() -> None:
    ds = cw.synthetic_dataset(3, scale="0.01")
    m = cw.measure(ds, periods={"granularity": "month", "first": "2024-01-01", "count": 1})
    assert 0.0 < m.core_seconds < 60.0


def test_settle_frame_keeps_fractions_of_a_cent_exact() -> None:
    # A target of $100,000.005 and costs of $105,000.001 at the 3% stage: the agency bears
    # $3,000.00 and the payer the rest of the $4,999.996 difference, $1,999.996, to the mill.
    money3 = pa.decimal128(18, 3)
    table = pa.table({"target": pa.array([Decimal("100000.005"), Decimal("100000")], money3),
                      "actual": pa.array([Decimal("105000.001"), Decimal("95000")], money3)})
    out = cw.settle_frame(table, program="commonworks-1998", as_of="1999-07-15")
    assert str(out.schema.field("payer_share").type) == "decimal128(38, 3)"
    rows = out.to_pylist()
    assert rows[0]["payer_share"] == Decimal("1999.996")
    assert rows[0]["provider_share"] == Decimal("3000.000")
    assert rows[1]["payer_share"] == Decimal("-2000.000")
    for r in rows:
        assert r["provider_share"] + r["payer_share"] == r["actual"] - r["target"]
    # Amounts in whole cents keep the usual decimal128(18, 2).
    money2 = pa.decimal128(18, 2)
    whole = pa.table({"target": pa.array([Decimal("100000.00")], money2),
                      "actual": pa.array([Decimal("95000.00")], money2)})
    cents = cw.settle_frame(whole, program="commonworks-1998", as_of="1999-07-15")
    assert str(cents.schema.field("payer_share").type) == "decimal128(18, 2)"
    assert cents["payer_share"].to_pylist() == [Decimal("-2000.00")]
