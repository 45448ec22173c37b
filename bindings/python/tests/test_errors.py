"""Errors: one exception class per core error kind, each raised from one conversion point."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

import cwfinance as cw
from cwfinance import _lowlevel


def _class_name(kind: str) -> str:
    return "".join(w.capitalize() for w in kind.split("_")) + "Error"


def test_one_class_per_core_kind() -> None:
    kinds = _lowlevel.error_kinds()
    assert sorted(cw.ERRORS) == sorted(kinds)
    for kind in kinds:
        cls = getattr(cw, _class_name(kind))
        assert issubclass(cls, cw.Error) and cls.kind == kind
        assert cw.ERRORS[kind] is cls


def _split(**extra: Any) -> dict[str, Any]:
    return {"kind": "split", "amount": "10.00", "split": {"funders": [{"name": "A", "share": "100%"}]}, **extra}


# Each core error kind, reached through a real request.
TRIGGERS: dict[str, Callable[[], object]] = {
    "invalid_decimal": lambda: cw.allocate("12,50", split={"A": "100%"}),
    "not_a_decimal_string": lambda: cw.evaluate(json.dumps(_split(amount=12.5))),
    "invalid_date": lambda: cw.settle_corridor(1, 2, as_of="July 15", program="commonworks-1998"),
    "negative_amount": lambda: cw.settle_corridor(-1, 2, corridor={"bands": [{"up_to": "3%", "provider_share_of_losses": "100%", "provider_share_of_gains": "100%"}]}),
    "out_of_range": lambda: cw.settle_corridor(0, 2, corridor={"bands": [{"up_to": "3%", "provider_share_of_losses": "100%", "provider_share_of_gains": "100%"}]}),
    "shares_do_not_sum": lambda: cw.allocate(1, split={"A": "50%", "B": "49%"}),
    "end_before_start": lambda: cw.bill(
        [{"child": "A", "start": dt.date(1999, 4, 1), "end": dt.date(1999, 3, 1)}],
        as_of=dt.date(1999, 5, 1), program="missouri-interdepartmental-initiative",
    ),
    "overlap": lambda: cw.bill(
        [{"child": "A", "start": dt.date(1999, 3, 1)}, {"child": "A", "start": dt.date(1999, 3, 10)}],
        as_of=dt.date(1999, 5, 1), program="missouri-interdepartmental-initiative",
    ),
    "unknown_id": lambda: cw.program("commonworks-2099"),
    "unknown_field": lambda: cw.evaluate(_split(bogus="1")),
    "missing_field": lambda: cw.evaluate({"kind": "split", "amount": "1.00"}),
    "missing_parameter": lambda: cw.adjust_intake(
        40, program="illinois-relative-care-los", measured_average_los_days=200
    ),
    "missing_citation": lambda: cw.load_program({
        "id": "x", "name": "x", "jurisdiction": "x", "summary": "x", "sources": [],
        "sections": {"split": {"funders": [{"name": "A", "share": "100%"}]}},
    }),
    "invalid_request": lambda: cw.evaluate({"kind": "split", "trace": "yes"}),
    "too_large": lambda: cw.evaluate("[" * 100 + "]" * 100),
    "invalid_data": lambda: cw.bill_frame(
        pd.DataFrame({"start": ["1999-03-01", "not a date"]}), as_of="1999-05-01",
        program="missouri-interdepartmental-initiative",
    ),
}


@pytest.mark.parametrize("kind", sorted(TRIGGERS))
def test_error_kind_is_raised_with_kind_field_value(kind: str) -> None:
    with pytest.raises(cw.ERRORS[kind]) as info:
        TRIGGERS[kind]()
    err = info.value
    assert isinstance(err, cw.Error)
    assert err.kind == kind
    assert err.response["error"]["kind"] == kind
    assert err.field == err.response["error"]["field"]
    assert err.value == err.response["error"].get("value")
    # Exceptions survive pickling (multiprocessing, joblib).
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err) and again.field == err.field


@pytest.mark.parametrize("kind", ["overflow"])
def test_kinds_hard_to_reach_map_from_their_response(kind: str) -> None:
    # The same conversion point the native module uses, on the core's response shape.
    response = {"error": {"kind": kind, "field": "f", "value": "v", "message": "m"}}
    err = cw._errors._from_response(json.dumps(response))
    assert type(err) is cw.ERRORS[kind] and (err.field, err.value) == ("f", "v")
    if kind == "overflow":
        assert isinstance(err, OverflowError)


def test_invalid_data_lists_every_bad_row() -> None:
    df = pd.DataFrame({
        "child": ["A", "B", "C", "D"],
        "start": ["1999-03-01", "1999-02-30", "1999-04-01", "x"],
        "end": [None, None, "1999-03-01", None],
    })
    with pytest.raises(cw.InvalidDataError) as info:
        cw.bill_frame(df, as_of="1999-05-01", program="missouri-interdepartmental-initiative")
    rows = [(p.row, p.column, p.code) for p in info.value.problems]
    assert rows == [(2, "start", "invalid_date"), (4, "start", "invalid_date")]
    df.loc[1, "start"] = "1999-03-28"
    df.loc[3, "start"] = "1999-03-05"
    df.loc[0, "end"] = "1999-02-01"
    with pytest.raises(cw.InvalidDataError) as info:
        cw.bill_frame(df, as_of="1999-05-01", program="missouri-interdepartmental-initiative")
    rows = [(p.row, p.column, p.code) for p in info.value.problems]
    assert rows == [(1, "end", "end_before_start"), (3, "end", "end_before_start")]
    assert "2 data problem(s)" in str(info.value)


def test_measure_reports_every_problem_in_the_tables() -> None:
    children = pd.DataFrame({"child_id": ["C1"], "birth_date": ["2012-05-01"]})
    episodes = pd.DataFrame({
        "child_id": ["C1", "C9"],
        "removal_date": ["2023-01-10", "2024-02-01"],
        "exit_date": ["2022-09-01", None],
        "exit_reason": ["reunification", None],
        "county": ["Greene", "Jackson"], "circuit": ["31", "16"],
        "region": ["Southwest", "Kansas City"],
    })
    with pytest.raises(cw.InvalidDataError) as info:
        cw.measure({"children": children, "episodes": episodes},
                   periods={"granularity": "quarter", "first": "2023-01-01", "count": 1})
    assert [(p.code, p.row) for p in info.value.problems] == [
        ("exit_before_removal", 1), ("unknown_child", 2)
    ]


def test_float_columns_are_refused_unless_allowed() -> None:
    df = pd.DataFrame({"amount": [3329.0, 0.1]})
    with pytest.raises(TypeError, match="float column"):
        cw.split_frame(df, split={"A": "100%"})
    out = cw.split_frame(df, split={"A": "100%"}, allow_float=True)
    assert [str(v) for v in out["A"].to_pylist()] == ["3329.00", "0.10"]


def test_bad_rows_are_found_across_batch_chunks() -> None:
    import pyarrow as pa

    n = 25_000  # more than one chunk of the batch path
    starts = [dt.date(1999, 3, 1)] * n
    ends: list[dt.date | None] = [None] * n
    ends[12_345] = dt.date(1999, 2, 1)
    ends[n - 1] = dt.date(1999, 1, 1)
    table = pa.table({"start": starts, "end": pa.array(ends, pa.date32())})
    with pytest.raises(cw.InvalidDataError) as info:
        cw.bill_frame(table, as_of="1999-05-01", program="missouri-interdepartmental-initiative")
    assert [(p.row, p.code) for p in info.value.problems] == [
        (12_346, "end_before_start"), (25_000, "end_before_start")
    ]
    ok = cw.bill_frame(pa.table({"start": starts}), as_of="1999-05-01",
                       program="missouri-interdepartmental-initiative")
    assert ok.line_count == 2 * n and ok.lines["row"][-1].as_py() == n - 1
