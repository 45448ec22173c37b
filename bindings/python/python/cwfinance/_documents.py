"""Calculation documents: run any request the core understands."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from . import _lowlevel
from ._convert import request_text
from ._errors import _raise_for_error


def evaluate(
    request: Mapping[str, Any] | str,
    *,
    allow_float: bool = False,
    raise_on_error: bool = True,
) -> dict[str, Any]:
    """Run a calculation document and return its response as a dict.

    ``request`` is a dict (``Decimal`` and ``datetime.date`` values are written as strings, floats
    are refused unless ``allow_float=True``) or JSON text. Amounts in the response stay the
    decimal strings of the document format; the typed functions turn them into ``Decimal``.

    An error response raises the :class:`cwfinance.Error` subclass of its kind, or, with
    ``raise_on_error=False``, is returned as ``{"error": {...}}``.
    """
    text = _lowlevel.evaluate(request_text(request, allow_float=allow_float))
    response: dict[str, Any] = json.loads(text)
    return _raise_for_error(response) if raise_on_error else response


def evaluate_json(request: Mapping[str, Any] | str, *, allow_float: bool = False) -> str:
    """Run a calculation document and return the core's canonical JSON text, errors included."""
    return _lowlevel.evaluate(request_text(request, allow_float=allow_float))


def evaluate_many(
    requests: Iterable[Mapping[str, Any] | str],
    *,
    allow_float: bool = False,
    raise_on_error: bool = True,
) -> list[dict[str, Any]]:
    """Run many documents in one call (the GIL is released once for the whole batch)."""
    texts = _lowlevel.evaluate_many([request_text(r, allow_float=allow_float) for r in requests])
    out = [json.loads(t) for t in texts]
    return [_raise_for_error(r) for r in out] if raise_on_error else out


def document_kinds() -> dict[str, str]:
    """Every calculation-document kind with its one-line summary."""
    return dict(_lowlevel.document_kinds())


def schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every request and response, by file name (``split.request.json``)."""
    return {name: json.loads(text) for name, text in _lowlevel.schemas()}
