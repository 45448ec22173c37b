# The private native module (Rust, pyo3). Checked against the built module by mypy stubtest.
import datetime
from typing import Any

__all__ = [
    "CORE_VERSION",
    "bill_columns_arrow",
    "canonical_json",
    "dataset_tables",
    "document_kinds",
    "error_kinds",
    "evaluate",
    "evaluate_many",
    "measure_arrow",
    "measure_csv",
    "program_builtin",
    "program_from_json",
    "program_ids",
    "schemas",
    "settle_columns_arrow",
    "split_columns_arrow",
    "synthetic_csv",
]

CORE_VERSION: str

def error_kinds() -> list[str]: ...
def document_kinds() -> list[tuple[str, str]]: ...
def evaluate(request: str) -> str: ...
def evaluate_many(requests: list[str]) -> list[str]: ...
def canonical_json(text: str) -> str: ...
def program_ids() -> list[str]: ...
def program_builtin(id: str) -> str: ...
def program_from_json(text: str) -> str: ...
def schemas() -> list[tuple[str, str]]: ...
def bill_columns_arrow(
    table: Any,
    *,
    as_of: datetime.date,
    schedule: str | None = None,
    program: str | None = None,
    split: str | None = None,
    split_policy: str | None = None,
    convention: str | None = None,
    rounding: str | None = None,
    start: str = "start",
    end: str = "end",
    extension_authorised: str = "extension_authorised",
    child: str = "child",
) -> tuple[Any, list[int], list[str], list[str], float]: ...
def split_columns_arrow(
    table: Any,
    *,
    amount: str = "amount",
    split: str | None = None,
    program: str | None = None,
    policy: str | None = None,
    rounding: str | None = None,
    allow_float: bool = False,
) -> Any: ...
def settle_columns_arrow(
    table: Any,
    *,
    target: str = "target",
    actual: str = "actual",
    as_of: datetime.date | None = None,
    as_of_column: str | None = None,
    corridor: str | None = None,
    program: str | None = None,
    allow_float: bool = False,
) -> Any: ...
def measure_arrow(
    tables: list[tuple[str, Any]],
    request: str,
    *,
    ignore_unknown_columns: bool = False,
    allow_float: bool = False,
) -> tuple[str, Any, float]: ...
def measure_csv(
    files: list[tuple[str, bytes]],
    request: str,
    *,
    ignore_unknown_columns: bool = False,
) -> tuple[str, Any, float]: ...
def synthetic_csv(
    seed: int,
    *,
    scale: str = "1",
    years: int = 5,
    as_of: datetime.date | None = None,
) -> list[tuple[str, str]]: ...
def dataset_tables() -> list[tuple[str, bool, list[tuple[str, str, bool, str]]]]: ...
