"""Every ```python block of docs/python.md runs, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "python.md"
BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def test_guide_has_examples() -> None:
    assert len(BLOCKS) >= 8


def test_guide_examples_run() -> None:
    namespace: dict[str, object] = {}
    for i, block in enumerate(BLOCKS, 1):
        try:
            exec(compile(block, f"docs/python.md block {i}", "exec"), namespace)
        except Exception as e:  # pragma: no cover - the message names the block
            pytest.fail(f"docs/python.md block {i} failed: {e!r}\n{block}")
