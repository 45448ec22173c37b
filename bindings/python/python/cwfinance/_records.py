"""Typed views of responses: money as Decimal, dates as datetime.date, attribute access.

Which fields are money, percentages or dates is read from the core's published JSON Schema of
each response (``Money`` and ``Percent`` definitions, ``"format": "date"``), so the Python layer
keeps no list of fields of its own and follows the core as it grows.
"""

from __future__ import annotations

import datetime as _dt
import functools
import html
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from . import _lowlevel
from ._convert import date_text, decimal_text, to_jsonable


@functools.cache
def _schemas() -> dict[str, dict[str, Any]]:
    return {name: json.loads(text) for name, text in _lowlevel.schemas()}


def response_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of the response of document ``kind``."""
    return _schemas().get(f"{kind}.response.json", {})


R = TypeVar("R", bound="Record")


def _percent_fraction(text: str) -> Decimal:
    # The core prints percentages as "60.99%"; a fraction string has no sign.
    return Decimal(text[:-1]).scaleb(-2) if text.endswith("%") else Decimal(text)


class _Converter:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.defs: Mapping[str, Any] = root.get("$defs", {})

    def convert(self, value: Any, schema: Mapping[str, Any]) -> Any:
        if value is None:
            return None
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name == "Money" and isinstance(value, str):
                return Decimal(value)
            if name == "Percent" and isinstance(value, str):
                return _percent_fraction(value)
            return self.convert(value, self.defs.get(name, {}))
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self._first_match(value, schema[key])
        if schema.get("format") == "date" and isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value)
            except ValueError:
                return value
        if isinstance(value, list):
            items = schema.get("items", {})
            return [self.convert(v, items) for v in value]
        if isinstance(value, dict):
            props: Mapping[str, Any] = schema.get("properties", {})
            extra = schema.get("additionalProperties", {})
            extra = extra if isinstance(extra, Mapping) else {}
            fields = {k: self.convert(v, props.get(k, extra)) for k, v in value.items()}
            # Optional fields the core left out read as None, as the schema declares them.
            for k in props:
                fields.setdefault(k, None)
            return Record(fields, value)
        return value

    def _first_match(self, value: Any, options: list[Mapping[str, Any]]) -> Any:
        for option in options:
            if option.get("type") == "null":
                continue
            if self._fits(value, option):
                return self.convert(value, option)
        return self.convert(value, {})

    def _fits(self, value: Any, schema: Mapping[str, Any]) -> bool:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name in ("Money", "Percent"):
                return isinstance(value, str)
            return self._fits(value, self.defs.get(name, {}))
        types = schema.get("type")
        if types is None:
            return True
        types = types if isinstance(types, list) else [types]
        pytypes: dict[str, type | tuple[type, ...]] = {
            "string": str,
            "object": dict,
            "array": list,
            "boolean": bool,
            "integer": int,
            "number": (int, float),
            "null": type(None),
        }
        return any(isinstance(value, pytypes.get(t, object)) for t in types)


def request_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of the request of document ``kind``."""
    return _schemas().get(f"{kind}.request.json", {})


def convert_response(
    kind: str, response: Mapping[str, Any], cls: type[R] | None = None
) -> R:
    """The typed view of ``response`` to a document of ``kind``, as ``cls`` (a Record)."""
    schema = response_schema(kind)
    converted = _Converter(schema).convert(dict(response), schema)
    fields = converted._fields if isinstance(converted, Record) else dict(response)
    return (cls or Record)(fields, dict(response))  # type: ignore[return-value]


class _Encoder:
    """Python values to request JSON, guided by the request schema.

    Where the schema expects ``Money`` or ``Percent``, an ``int`` or ``Decimal`` becomes its
    decimal string (a float is refused unless ``allow_float``); where it expects a string, an
    ``int`` becomes its digits (counts such as ``decimal_places`` cross as strings); a date
    becomes its ISO text. Anything else goes through :func:`to_jsonable`.
    """

    def __init__(self, root: Mapping[str, Any], allow_float: bool) -> None:
        self.defs: Mapping[str, Any] = root.get("$defs", {})
        self.allow_float = allow_float

    def encode(self, value: Any, schema: Mapping[str, Any], where: str) -> Any:
        if value is None:
            return None
        to_request = getattr(value, "_to_request", None)
        if callable(to_request):
            return self.encode(to_request(), schema, where)
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name in ("Money", "Percent") and not isinstance(value, (dict, list)):
                return decimal_text(value, where, allow_float=self.allow_float)
            return self.encode(value, self.defs.get(name, {}), where)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [o for o in schema[key] if o.get("type") != "null"]
                if len(options) == 1:
                    return self.encode(value, options[0], where)
                for option in options:
                    target = self._resolve(option)
                    if isinstance(value, Mapping) and self._is_object(target):
                        return self.encode(value, option, where)
                    if isinstance(value, (list, tuple)) and self._types(target) == {"array"}:
                        return self.encode(value, option, where)
                return to_jsonable(value, where, allow_float=self.allow_float)
        types = self._types(schema)
        if isinstance(value, (_dt.date, _dt.datetime)):
            return date_text(value, where)
        if "string" in types and not (types & {"integer", "number"}):
            if isinstance(value, int) and not isinstance(value, bool):
                return str(value)
            if isinstance(value, Decimal):
                return decimal_text(value, where)
        if isinstance(value, Mapping):
            props: Mapping[str, Any] = schema.get("properties", {})
            extra = schema.get("additionalProperties", {})
            extra = extra if isinstance(extra, Mapping) else {}
            return {
                str(k): self.encode(v, props.get(str(k), extra), f"{where}.{k}")
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            items = schema.get("items", {})
            items = items if isinstance(items, Mapping) else {}
            return [self.encode(v, items, f"{where}[{i}]") for i, v in enumerate(value)]
        return to_jsonable(value, where, allow_float=self.allow_float)

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name in ("Money", "Percent"):
                return {"type": "string"}
            return self._resolve(self.defs.get(name, {}))
        return schema

    def _is_object(self, schema: Mapping[str, Any]) -> bool:
        return "object" in self._types(schema) or "properties" in schema

    @staticmethod
    def _types(schema: Mapping[str, Any]) -> set[str]:
        t = schema.get("type")
        if t is None:
            return set()
        return set(t) if isinstance(t, list) else {t}


def encode_request(kind: str, request: Mapping[str, Any], *, allow_float: bool = False) -> dict[str, Any]:
    """The JSON-able request of document ``kind`` built from Python values (see _Encoder)."""
    schema = request_schema(kind)
    body = {k: v for k, v in request.items() if v is not None}
    encoded: dict[str, Any] = _Encoder(schema, allow_float).encode(body, schema, "request")
    encoded["kind"] = kind
    return encoded


class Record:
    """A read-only response object: fields by attribute or key, money as Decimal.

    ``to_dict()`` gives the response exactly as the core wrote it (amounts as strings), which
    is what :func:`cwfinance.canonical_json` serialises byte-identically to the Rust output.
    """

    __slots__ = ("_fields", "_raw")

    def __init__(self, fields: Mapping[str, Any], raw: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_fields", dict(fields))
        object.__setattr__(self, "_raw", raw)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__} has no field {name!r}; fields: {', '.join(self._fields)}"
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __getitem__(self, key: str) -> Any:
        return self._fields[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __contains__(self, key: object) -> bool:
        return key in self._fields

    # Not a Mapping on purpose: responses have fields named `values`, `items` and `keys`.
    def field(self, name: str, default: Any = None) -> Any:
        """The field ``name``, or ``default`` when the response has no such field."""
        return self._fields.get(name, default)

    def fields(self) -> dict[str, Any]:
        """Every field, typed (money as Decimal), by name."""
        return dict(self._fields)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._fields))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record):
            return bool(self._raw == other._raw)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(json.dumps(self._raw, sort_keys=True))

    def to_dict(self) -> dict[str, Any]:
        """The response as the core wrote it: amounts and percentages as decimal strings."""
        return json.loads(json.dumps(self._raw))  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={_short(v)}" for k, v in self._fields.items() if k != "trace")
        return f"{type(self).__name__}({inner})"

    def _repr_html_(self) -> str:
        return html_table(
            [(k, v) for k, v in self._raw.items() if k != "trace"], type(self).__name__
        )

    @property
    def trace(self) -> Trace | None:
        """The steps of the calculation and their sources, when the request asked for them."""
        steps = self._fields.get("trace")
        if steps is None:
            return None
        return Trace(steps)


def _short(value: Any, limit: int = 6) -> str:
    if isinstance(value, list):
        if len(value) > limit:
            return "[" + ", ".join(_short(v) for v in value[:limit]) + f", ... {len(value)} items]"
        return "[" + ", ".join(_short(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return f"Decimal('{value}')"
    return repr(value)


def _cell(value: Any) -> str:
    # Tables show the core's own text ("60.99%", "3000.00"), as the documents print it.
    if isinstance(value, Record):
        value = value._raw
    if isinstance(value, Mapping):
        return "<br>".join(f"{html.escape(str(k))}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        if value and all(isinstance(v, (Record, Mapping)) for v in value):
            return _records_table(value)
        return html.escape(", ".join(str(v) for v in value))
    if value is None:
        return ""
    return html.escape(str(value))


def _records_table(rows: list[Any]) -> str:
    dicts = [r._raw if isinstance(r, Record) else dict(r) for r in rows]
    columns: list[str] = []
    for r in dicts:
        for k in r:
            if k not in columns and k != "trace":
                columns.append(k)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(r.get(c))}</td>" for c in columns) + "</tr>" for r in dicts
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_table(pairs: list[tuple[str, Any]], title: str) -> str:
    """A two-column HTML table of ``pairs`` under ``title`` (for notebooks)."""
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{_cell(v)}</td></tr>"
        for k, v in pairs
    )
    return f"<div><strong>{html.escape(title)}</strong><table>{rows}</table></div>"


class Trace(list[Any]):
    """The steps of a calculation, each with its inputs, result and source."""

    def __repr__(self) -> str:
        lines = [f"Trace({len(self)} steps)"]
        for i, step in enumerate(self, 1):
            fields = step._fields if isinstance(step, Record) else dict(step)
            given = fields.get("inputs")
            given = given._fields if isinstance(given, Record) else (given or {})
            inputs = ", ".join(f"{k}={v}" for k, v in given.items())
            source = fields.get("source") or ""
            lines.append(
                f"  {i}. {fields.get('step', '')}({inputs}) = {fields.get('output', '')}"
                + (f"  [{source}]" if source else "")
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return "<div><strong>Trace</strong>" + _records_table(list(self)) + "</div>"
