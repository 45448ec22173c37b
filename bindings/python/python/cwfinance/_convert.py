"""Conversions at the edge: Python values to request JSON, response JSON to Python values.

Money never passes through a binary float here. ``decimal.Decimal``, ``int`` and ``str`` amounts
are written as decimal strings; a ``float`` is refused with a ``TypeError`` unless the caller
passes ``allow_float=True``, in which case its shortest ``repr`` (``0.1`` -> ``"0.1"``) is used.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

FLOAT_REFUSED = (
    "{where} is a float ({value!r}); binary floats cannot hold cents exactly, so cwfinance takes "
    "amounts as decimal.Decimal, int or str (Decimal('{value!r}')). Pass allow_float=True to "
    "convert floats through their shortest repr."
)


def decimal_text(value: Any, where: str, *, allow_float: bool = False) -> str:
    """An amount, rate or percentage as the decimal string the core reads."""
    if isinstance(value, bool):
        raise TypeError(f"{where} is a bool ({value!r}); give a decimal amount")
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        if not allow_float:
            raise TypeError(FLOAT_REFUSED.format(where=where, value=value))
        return repr(value)
    raise TypeError(
        f"{where} is a {type(value).__name__}; give a decimal amount as decimal.Decimal, int or str"
    )


def date_text(value: Any, where: str) -> str:
    """A date as the ISO string the core reads."""
    if isinstance(value, _dt.datetime):
        if value.time() != _dt.time(0) or value.tzinfo is not None:
            raise TypeError(f"{where} is a datetime ({value!r}); give a datetime.date")
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise TypeError(f"{where} is a {type(value).__name__}; give a datetime.date or 'YYYY-MM-DD'")


def to_jsonable(value: Any, where: str = "request", *, allow_float: bool = False) -> Any:
    """A plain JSON-able copy of ``value``: Decimals and dates become strings, floats are refused.

    ``int`` stays a JSON number (counts such as ``months`` are numbers in the document format);
    the core refuses a number where it needs an amount, with a ``NotADecimalStringError``.
    """
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, Decimal):
        return decimal_text(value, where)
    if isinstance(value, float):
        return decimal_text(value, where, allow_float=allow_float)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return date_text(value, where)
    to_request = getattr(value, "_to_request", None)
    if callable(to_request):
        return to_jsonable(to_request(), where, allow_float=allow_float)
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{where}: keys must be str, not {type(k).__name__}")
            out[k] = to_jsonable(v, f"{where}.{k}", allow_float=allow_float)
        return out
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return [to_jsonable(v, f"{where}[{i}]", allow_float=allow_float) for i, v in enumerate(value)]
    raise TypeError(f"{where} is a {type(value).__name__}, which has no JSON form")


def request_text(request: Mapping[str, Any] | str, *, allow_float: bool = False) -> str:
    """The JSON text of a request given as a dict (converted) or as JSON text (kept)."""
    if isinstance(request, str):
        return request
    if not isinstance(request, Mapping):
        raise TypeError(f"a request is a dict or JSON text, not {type(request).__name__}")
    return json.dumps(to_jsonable(request, allow_float=allow_float), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """The project's canonical JSON text: keys sorted, no whitespace, non-ASCII kept.

    It is byte-identical to the Rust core's ``json::to_canonical_string`` for responses (both
    escape only ``"``, ``\\`` and control characters, and sort keys by code point).
    """
    return json.dumps(
        to_jsonable(value, "value"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def money(text: Any) -> Decimal | None:
    """A response amount (decimal string) as a Decimal; None stays None."""
    if text is None:
        return None
    return Decimal(str(text))


def percent(text: Any) -> Decimal | None:
    """A response percentage (``"60.99%"``) as the Decimal fraction ``0.6099``."""
    if text is None:
        return None
    s = str(text)
    if s.endswith("%"):
        return Decimal(s[:-1]) / 100
    return Decimal(s)


def date(text: Any) -> _dt.date | None:
    """A response ISO date as a ``datetime.date``."""
    if text is None:
        return None
    return _dt.date.fromisoformat(str(text))
