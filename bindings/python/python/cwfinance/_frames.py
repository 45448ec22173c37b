"""DataFrames in and out: any Arrow-compatible table in, pyarrow (or pandas, polars) out.

Inputs go through the Arrow PyCapsule interface, so pandas, polars, pyarrow and DuckDB results
all work and no DataFrame library is forced on the caller. Money columns come back as
``decimal128(18, 2)``, never float64; pandas shows them as ``decimal.Decimal`` objects and
polars as ``Decimal``. Every bad cell is reported at once, in one :class:`InvalidDataError`.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import pyarrow as pa
import pyarrow.csv as pacsv

from . import _lowlevel
from ._convert import date_text, to_jsonable
from ._programs import Program
from ._records import _Encoder, convert_response, request_schema
from ._results import Measurement

To = Literal["pyarrow", "pandas", "polars"] | None


def to_arrow_table(data: Any) -> pa.Table:
    """Any Arrow-compatible table (pandas, polars, pyarrow, DuckDB, a dict of columns) as pyarrow."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    module = type(data).__module__ or ""
    if module.startswith("pandas"):
        # The index is not data: leave it out rather than add an `__index_level_0__` column.
        return pa.Table.from_pandas(data, preserve_index=False)
    if hasattr(data, "__arrow_c_stream__") or hasattr(data, "__arrow_c_array__"):
        return pa.table(data)
    if isinstance(data, Mapping):
        return pa.table(dict(data))
    raise TypeError(
        f"expected an Arrow-compatible table (pandas, polars, pyarrow, DuckDB), not {type(data).__name__}"
    )


def convert_table(table: pa.Table, to: To) -> Any:
    """``table`` as the library the caller asked for."""
    if to is None or to in ("pyarrow", "arrow"):
        return table
    if to == "pandas":
        return table.to_pandas()
    if to == "polars":
        import polars as pl

        return pl.from_arrow(table)
    raise ValueError(f'to must be "pyarrow", "pandas" or "polars", not {to!r}')


def _json_or_none(value: Any, kind: str, field: str) -> str | None:
    """A configuration value as the JSON text the core decodes (money converted as usual)."""
    if value is None:
        return None
    if isinstance(value, Program):
        value = value._to_request()
    schema = request_schema(kind)
    props = schema.get("properties", {})
    encoded = _Encoder(schema, False).encode(value, props.get(field, {}), field)
    return json.dumps(encoded, ensure_ascii=False)


def _program_arg(program: Program | str | Mapping[str, Any] | None) -> str | None:
    if program is None:
        return None
    if isinstance(program, Program):
        program = program._to_request()
    if isinstance(program, str):
        return program
    return json.dumps(to_jsonable(program), ensure_ascii=False)


def _split_arg(split: Any) -> str | None:
    from ._api import _split

    if split is True:
        return "true"
    return _json_or_none(_split(split), "split", "split")


@dataclass(frozen=True)
class BillingBatch:
    """Billing lines of many enrollments: one row per child-month, money as decimal128."""

    lines: Any
    """The lines (pyarrow Table, or pandas/polars as asked): ``row``, the child column,
    ``month``, ``days``, ``amount`` and one column per funder."""
    grand_total: Decimal
    by_funder: dict[str, Decimal] = field(default_factory=dict)
    cut_at_maximum: list[int] = field(default_factory=list)
    """Input rows (0-based) cut at their maximum duration."""
    core_seconds: float = field(default=0.0, repr=False, compare=False)
    """Seconds spent inside the Rust core's batch billing (the rest is the binding's)."""

    @property
    def line_count(self) -> int:
        return len(self.lines)

    def __repr__(self) -> str:
        funders = "".join(f", {k}={v:,.2f}" for k, v in self.by_funder.items())
        return (
            f"BillingBatch({self.line_count} lines, grand_total={self.grand_total:,.2f}{funders}, "
            f"cut_at_maximum={len(self.cut_at_maximum)})"
        )

    def _repr_html_(self) -> str:
        from ._records import html_table

        pairs: list[tuple[str, Any]] = [
            ("lines", f"{self.line_count:,}"),
            ("grand total", f"{self.grand_total:,.2f}"),
        ]
        pairs += [(f"funder: {k}", f"{v:,.2f}") for k, v in self.by_funder.items()]
        pairs.append(("rows cut at maximum", len(self.cut_at_maximum)))
        return html_table(pairs, "Billing summary")


def bill_frame(
    enrollments: Any,
    *,
    as_of: _dt.date | str,
    schedule: Mapping[str, Any] | None = None,
    program: Program | str | Mapping[str, Any] | None = None,
    split: Any = None,
    split_policy: Any = None,
    convention: str | None = None,
    rounding: str | None = None,
    columns: Mapping[str, str] | None = None,
    to: To = None,
) -> BillingBatch:
    """Bill a table of enrollments (one row each) month by month, in the core's batch path.

    Columns (rename with ``columns={"start": "enrolled_on", ...}``): ``start`` (date),
    ``end`` (date, first day no longer enrolled; optional), ``extension_authorised`` (bool;
    optional) and ``child`` (carried into the lines; optional). The schedule is ``schedule`` or
    the program's ``case_rate`` section; ``split=True`` uses the program's split.
    """
    names = {"start": "start", "end": "end", "extension_authorised": "extension_authorised",
             "child": "child", **(columns or {})}
    table = to_arrow_table(enrollments)
    as_of_date = _dt.date.fromisoformat(date_text(as_of, "as_of"))
    lines, cut, funders, totals, core_seconds = _lowlevel.bill_columns_arrow(
        table,
        as_of=as_of_date,
        schedule=_json_or_none(schedule, "case_rate.bill", "schedule"),
        program=_program_arg(program),
        split=_split_arg(split),
        split_policy=_json_or_none(split_policy, "case_rate.bill", "split_policy"),
        convention=_json_or_none(convention, "case_rate.bill", "convention"),
        rounding=_json_or_none(rounding, "case_rate.bill", "rounding"),
        **names,
    )
    return BillingBatch(
        lines=convert_table(lines, to),
        grand_total=Decimal(totals[0]),
        by_funder={f: Decimal(t) for f, t in zip(funders, totals[1:])},
        cut_at_maximum=list(cut),
        core_seconds=core_seconds,
    )


def split_frame(
    amounts: Any,
    *,
    split: Any = None,
    program: Program | str | Mapping[str, Any] | None = None,
    policy: Any = None,
    rounding: str | None = None,
    amount: str = "amount",
    allow_float: bool = False,
    to: To = None,
) -> Any:
    """Allocate the ``amount`` column of a table across funders, row by row, to the cent.

    Returns the input table with ``amount`` rounded to cents as decimal128 and one decimal128
    column per funder appended; on every row the funders' columns add up to ``amount``.
    """
    table = to_arrow_table(amounts)
    parts = _lowlevel.split_columns_arrow(
        table,
        amount=amount,
        split=_split_arg(split),
        program=_program_arg(program),
        policy=_json_or_none(policy, "split", "policy"),
        rounding=_json_or_none(rounding, "split", "rounding"),
        allow_float=allow_float,
    )
    return convert_table(_merge(table, parts), to)


def settle_frame(
    table: Any,
    *,
    target: str = "target",
    actual: str = "actual",
    as_of: _dt.date | str | None = None,
    as_of_column: str | None = None,
    corridor: Mapping[str, Any] | None = None,
    program: Program | str | Mapping[str, Any] | None = None,
    allow_float: bool = False,
    to: To = None,
) -> Any:
    """Settle every row's ``actual`` cost against its ``target`` through a risk corridor.

    Appends decimal128 columns ``difference``, ``provider_share``, ``payer_share``,
    ``provider_gain`` and ``payer_total`` (and ``phase`` for a phased corridor); on every row
    ``provider_share + payer_share == difference == actual - target``.
    """
    data = to_arrow_table(table)
    out = _lowlevel.settle_columns_arrow(
        data,
        target=target,
        actual=actual,
        as_of=_dt.date.fromisoformat(date_text(as_of, "as_of")) if as_of is not None else None,
        as_of_column=as_of_column,
        corridor=_json_or_none(corridor, "corridor.settle", "corridor"),
        program=_program_arg(program),
        allow_float=allow_float,
    )
    return convert_table(_merge(data, out), to)


def _merge(table: pa.Table, new: pa.Table) -> pa.Table:
    for name in new.column_names:
        column = new[name]
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name, column)
        else:
            table = table.append_column(name, column)
    return table


def measure(
    tables: Mapping[str, Any],
    *,
    periods: Mapping[str, Any],
    metrics: list[str] | None = None,
    by: list[str] | None = None,
    options: Mapping[str, Any] | None = None,
    suppression: Mapping[str, Any] | None = None,
    ignore_unknown_columns: bool = False,
    allow_float: bool = False,
) -> Measurement:
    """Measure HB 1414 metrics from case-level tables given as DataFrames.

    ``tables`` maps a table name (``children``, ``episodes``, ``visits``, ...; see
    :func:`dataset_tables`) to any Arrow-compatible table. The tables are read by the core's own
    loader, so every problem in them (an unknown child, an exit before removal, ...) is reported
    at once in one :class:`InvalidDataError`, with the table, 1-based row, column and value.
    ``periods`` is ``{"granularity": "quarter", "first": date, "count": 1}``.
    """
    text, values, core_seconds = _lowlevel.measure_arrow(
        [(name, to_arrow_table(t)) for name, t in tables.items()],
        _measure_request(periods, metrics, by, options, suppression),
        ignore_unknown_columns=ignore_unknown_columns,
        allow_float=allow_float,
    )
    return Measurement._from_arrow(json.loads(text), values, core_seconds)


def measure_csv(
    files: Mapping[str, str | bytes] | list[Any],
    *,
    periods: Mapping[str, Any],
    metrics: list[str] | None = None,
    by: list[str] | None = None,
    options: Mapping[str, Any] | None = None,
    suppression: Mapping[str, Any] | None = None,
    ignore_unknown_columns: bool = False,
) -> Measurement:
    """Measure HB 1414 metrics from CSV extracts: paths, or ``{file name: text or bytes}``.

    The file name chooses the table (``episodes.csv``); problems name the file as given.
    """
    pairs: list[tuple[str, bytes]] = []
    if isinstance(files, Mapping):
        for name, content in files.items():
            pairs.append((name, content.encode("utf-8") if isinstance(content, str) else content))
    else:
        for path in files:
            with open(path, "rb") as f:
                pairs.append((str(path), f.read()))
    body = _measure_request(periods, metrics, by, options, suppression)
    text, values, core_seconds = _lowlevel.measure_csv(
        pairs, body, ignore_unknown_columns=ignore_unknown_columns
    )
    return Measurement._from_arrow(json.loads(text), values, core_seconds)


def _measure_request(
    periods: Mapping[str, Any],
    metrics: list[str] | None,
    by: list[str] | None,
    options: Mapping[str, Any] | None,
    suppression: Mapping[str, Any] | None,
) -> str:
    request = {
        "periods": periods,
        "metrics": metrics,
        "by": by,
        "options": options,
        "suppression": suppression,
    }
    schema = request_schema("hb1414.measure")
    body = _Encoder(schema, False).encode(
        {k: v for k, v in request.items() if v is not None}, schema, "request"
    )
    return json.dumps(body, ensure_ascii=False)


def dataset_tables() -> dict[str, dict[str, Any]]:
    """The case-level tables the HB 1414 loader reads: whether required, and each column's
    type (``id``, ``ref:<table>``, ``name``, ``text``, ``date``, ``bool``, ``money``,
    ``code:<a|b|...>``), whether required, and description (the data dictionary, ``docs/data.md``)."""
    return {
        name: {
            "required": required,
            "columns": {
                c: {"type": ty, "required": req, "description": desc}
                for c, ty, req, desc in columns
            },
        }
        for name, required, columns in _lowlevel.dataset_tables()
    }


def _arrow_type(ty: str) -> pa.DataType:
    if ty == "date":
        return pa.date32()
    if ty == "bool":
        return pa.bool_()
    if ty == "money":
        return pa.decimal128(18, 2)
    return pa.string()


def synthetic_dataset(
    seed: int = 1,
    *,
    scale: Decimal | int | str = 1,
    years: int = 5,
    as_of: _dt.date | str | None = None,
    to: To = None,
) -> dict[str, Any]:
    """The core's seeded synthetic Missouri-sized case-level dataset, table by table.

    Scale 1 is about 13,000 children in care and 6,000 entries a year over ``years`` years
    ending ``as_of`` (default 2024-12-31). The same arguments give the same data on every
    machine. Dates are ``date32``, booleans ``bool``, money ``decimal128(18, 2)``, the rest text.
    """
    from ._convert import decimal_text

    files = _lowlevel.synthetic_csv(
        seed,
        scale=decimal_text(scale, "scale"),
        years=years,
        as_of=_dt.date.fromisoformat(date_text(as_of, "as_of")) if as_of is not None else None,
    )
    types = {name: info["columns"] for name, info in dataset_tables().items()}
    out: dict[str, Any] = {}
    for file_name, text in files:
        name = file_name.removesuffix(".csv")
        columns = types.get(name, {})
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            convert_options=pacsv.ConvertOptions(
                column_types={c: _arrow_type(info["type"]) for c, info in columns.items()},
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        out[name] = convert_table(table, to)
    return out
