"""Shared fixtures: the repository root and the cross-language vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
VECTORS_DIR = ROOT / "tests" / "vectors"


def vector_files() -> list[Path]:
    return sorted(VECTORS_DIR.glob("**/*.json"))


def load_vector(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
