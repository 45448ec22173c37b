"""Every cross-language vector in tests/vectors/ gives byte-identical output through Python."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import cwfinance
from cwfinance import _lowlevel

from conftest import VECTORS_DIR, load_vector, vector_files

VECTORS = vector_files()


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    return False


def test_vectors_exist() -> None:
    assert len(VECTORS) >= 10, f"expected vectors under {VECTORS_DIR}"


@pytest.mark.parametrize(
    "path", VECTORS, ids=[str(p.relative_to(VECTORS_DIR)) for p in VECTORS]
)
def test_vector_is_byte_identical(path: Path) -> None:
    doc = load_vector(path)
    if doc.get("expected") is None:
        pytest.skip("vector has no expected response yet (bless it with the Rust runner)")
    expected = _lowlevel.canonical_json(json.dumps(doc["expected"], ensure_ascii=False))

    # As JSON text, the request reaches the core unchanged (numbers included).
    out = cwfinance.evaluate(json.dumps(doc["request"], ensure_ascii=False), raise_on_error=False)
    assert cwfinance.canonical_json(out) == expected

    # As a dict (the everyday Python call), when it holds no float a dict would refuse.
    if isinstance(doc["request"], dict) and not _has_float(doc["request"]):
        out = cwfinance.evaluate(doc["request"], raise_on_error=False)
        assert cwfinance.canonical_json(out) == expected

    # An error vector raises the exception class of its kind, carrying the same response.
    if "error" in doc["expected"]:
        kind = doc["expected"]["error"]["kind"]
        with pytest.raises(cwfinance.ERRORS[kind]) as info:
            cwfinance.evaluate(json.dumps(doc["request"]))
        assert info.value.kind == kind
        assert info.value.field == doc["expected"]["error"]["field"]
        assert info.value.value == doc["expected"]["error"].get("value")
        assert cwfinance.canonical_json(info.value.response) == expected


def test_python_canonical_json_matches_rust_escaping() -> None:
    # Control characters, quotes, backslashes, non-ASCII, U+2028 and DEL, in keys and values.
    tricky = "é \u0001 \u001f \x7f \u2028 \" \\ / \n \t 𝄞 \ud7ff"
    value = {"b": [tricky, 1, -2, True, None], "a": {tricky: "x", "Z": "y", "é": "z"}}
    rust = _lowlevel.canonical_json(json.dumps(value))
    assert cwfinance.canonical_json(value) == rust
    # and through an error message the core writes itself
    out = cwfinance.evaluate({"kind": tricky}, raise_on_error=False)
    assert cwfinance.canonical_json(out) == _lowlevel.evaluate(json.dumps({"kind": tricky}))
