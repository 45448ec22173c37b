"""The exceptions of cwfinance: one base class, one subclass per error kind of the Rust core.

Every failure the core reports arrives here as its ``{"error": {...}}`` response and is turned into
an exception by :func:`_from_response`, the one conversion point. The native module calls it for
typed calls, and :func:`cwfinance.evaluate` calls it for documents, so both raise the same class.
"""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DataProblem:
    """One problem in case-level data: where it is and what is wrong."""

    file: str
    """The table (``episodes``, ``billing``, ...) or file."""
    row: int | None
    """The 1-based data row (the header is row 0), when the problem is in one row."""
    column: str
    """The column."""
    value: str
    """The offending value, as text."""
    code: str
    """A stable code (``unknown_code``, ``duplicate_id``, ...)."""
    message: str
    """What is wrong, in words."""

    def __str__(self) -> str:
        where = f"{self.file} row {self.row}" if self.row is not None else self.file
        return f"{where}, column {self.column}, value {self.value!r}: {self.code}: {self.message}"


class Error(Exception):
    """Base class of every error cwfinance raises for bad input.

    ``kind`` is the core's stable snake_case code, ``field`` the path of the offending field in
    the request (``funders[2].share``), ``value`` the offending value as text (or ``None``), and
    ``response`` the whole ``{"error": {...}}`` object the core answered.
    """

    kind: str = ""

    def __init__(
        self,
        message: str,
        *,
        kind: str | None = None,
        field: str = "",
        value: str | None = None,
        response: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind
        self.message = message
        self.field = field
        self.value = value
        self.response: dict[str, Any] = response if response is not None else {
            "error": {"kind": self.kind, "field": field, "value": value, "message": message}
        }

    def __reduce__(self) -> tuple[Any, ...]:
        return (_from_response, (json.dumps(self.response),))


class InvalidDecimalError(Error):
    """A string that should hold a decimal number does not."""

    kind = "invalid_decimal"


class NotADecimalStringError(Error):
    """A JSON number was given where a decimal string is required."""

    kind = "not_a_decimal_string"


class InvalidDateError(Error):
    """A string that should hold an ISO date (``YYYY-MM-DD``) does not."""

    kind = "invalid_date"


class NegativeAmountError(Error):
    """A value is negative where the rule forbids it."""

    kind = "negative_amount"


class OutOfRangeError(Error):
    """A value lies outside the range the rule allows."""

    kind = "out_of_range"


class SharesDoNotSumError(Error):
    """Funding shares do not add up to 100% under the ``strict`` policy."""

    kind = "shares_do_not_sum"


class EndBeforeStartError(Error):
    """A period ends before it starts."""

    kind = "end_before_start"


class OverlapError(Error):
    """Two dated entries overlap where they must not."""

    kind = "overlap"


class UnknownIdError(Error):
    """An id (program, funder, kind, metric, ...) is not known."""

    kind = "unknown_id"


class UnknownFieldError(Error):
    """A request or data file carries a field that the format does not define."""

    kind = "unknown_field"


class MissingFieldError(Error):
    """A required field is absent."""

    kind = "missing_field"


class MissingParameterError(Error):
    """A rule needs a parameter the source does not publish and the caller did not give."""

    kind = "missing_parameter"


class MissingCitationError(Error):
    """A number in a program file has no citation."""

    kind = "missing_citation"


class InvalidRequestError(Error):
    """A request is malformed in a way no other kind describes."""

    kind = "invalid_request"


class TooLargeError(Error):
    """A document exceeds a size or depth limit."""

    kind = "too_large"


class OverflowError(Error, builtins.OverflowError):  # noqa: A001 - the core's kind name
    """A computation would overflow the exact decimal range."""

    kind = "overflow"


class InvalidDataError(Error):
    """Case-level data has problems; ``problems`` lists every one, in table and row order."""

    kind = "invalid_data"

    def __init__(
        self,
        message: str,
        *,
        kind: str | None = None,
        field: str = "data",
        value: str | None = None,
        response: dict[str, Any] | None = None,
        problems: list[DataProblem] | None = None,
    ) -> None:
        super().__init__(message, kind=kind, field=field, value=value, response=response)
        self.problems: list[DataProblem] = problems or []

    def __str__(self) -> str:
        lines = [f"{len(self.problems)} data problem(s):"]
        lines += [f"  {p}" for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"  ... and {len(self.problems) - 50} more (see .problems)")
        return "\n".join(lines) if self.problems else self.message


ERRORS: dict[str, type[Error]] = {
    cls.kind: cls
    for cls in (
        InvalidDecimalError,
        NotADecimalStringError,
        InvalidDateError,
        NegativeAmountError,
        OutOfRangeError,
        SharesDoNotSumError,
        EndBeforeStartError,
        OverlapError,
        UnknownIdError,
        UnknownFieldError,
        MissingFieldError,
        MissingParameterError,
        MissingCitationError,
        InvalidRequestError,
        TooLargeError,
        OverflowError,
        InvalidDataError,
    )
}
"""The exception class of every error kind of the core."""


def _from_response(response: str | dict[str, Any]) -> Error:
    """Build the exception of a core ``{"error": {...}}`` response (JSON text or dict)."""
    doc: dict[str, Any] = json.loads(response) if isinstance(response, str) else response
    body: dict[str, Any] = doc.get("error", {})
    kind = str(body.get("kind", ""))
    message = str(body.get("message", kind))
    field = str(body.get("field", ""))
    value = body.get("value")
    cls = ERRORS.get(kind)
    if cls is InvalidDataError:
        problems = [DataProblem(**p) for p in body.get("problems") or []]
        return InvalidDataError(
            message, field=field, value=value, response=doc, problems=problems
        )
    if cls is None:
        # A kind newer than this package: still an Error, with the core's code.
        return Error(message, kind=kind, field=field, value=value, response=doc)
    return cls(message, field=field, value=value, response=doc)


def _raise_for_error(response: dict[str, Any]) -> dict[str, Any]:
    """Return ``response`` unless it is an error response, which is raised."""
    if "error" in response and len(response) == 1:
        raise _from_response(response)
    return response


# The exceptions are public as `cwfinance.X`; say so in tracebacks.
for _cls in (Error, *ERRORS.values()):
    _cls.__module__ = "cwfinance"
DataProblem.__module__ = "cwfinance"
