"""cwfinance: exact, cited child-welfare finance rules, with Decimal money and DataFrames.

Every calculation runs in the Rust core; this package converts Python values at the edge and
raises one exception class per error kind. Amounts are ``decimal.Decimal`` in and out.

>>> import cwfinance
>>> cwfinance.program("commonworks-1998").jurisdiction
'Massachusetts'
"""

from __future__ import annotations

from . import _lowlevel
from ._convert import canonical_json
from ._documents import document_kinds, evaluate, evaluate_json, evaluate_many, schemas
from ._errors import (
    ERRORS,
    DataProblem,
    EndBeforeStartError,
    Error,
    InvalidDataError,
    InvalidDateError,
    InvalidDecimalError,
    InvalidRequestError,
    MissingCitationError,
    MissingFieldError,
    MissingParameterError,
    NegativeAmountError,
    NotADecimalStringError,
    OutOfRangeError,
    OverflowError,
    OverlapError,
    SharesDoNotSumError,
    TooLargeError,
    UnknownFieldError,
    UnknownIdError,
)
from ._api import (
    adjust_intake,
    allocate,
    bill,
    compare_outcomes,
    derive_split,
    distribute_savings,
    measure_inline,
    pay_milestones,
    rate_from_history,
    score,
    settle_corridor,
    settle_risk_pool,
)
from ._frames import (
    BillingBatch,
    bill_frame,
    dataset_tables,
    measure,
    measure_csv,
    settle_frame,
    split_frame,
    synthetic_dataset,
    to_arrow_table,
)
from ._programs import Citation, Program, load_program, program, program_ids, programs
from ._records import Record, Trace
from ._results import (
    Bill,
    Derivation,
    IntakeAdjustment,
    Measurement,
    MilestonePayments,
    OutcomeComparison,
    RateResult,
    RiskPoolSettlement,
    SavingsDistribution,
    Scorecards,
    Settlement,
    SplitResult,
)

__version__: str = _lowlevel.CORE_VERSION

__all__ = [
    "BillingBatch",
    "bill_frame",
    "dataset_tables",
    "measure",
    "measure_csv",
    "settle_frame",
    "split_frame",
    "synthetic_dataset",
    "to_arrow_table",
    "Bill",
    "Derivation",
    "IntakeAdjustment",
    "Measurement",
    "MilestonePayments",
    "OutcomeComparison",
    "RateResult",
    "Record",
    "RiskPoolSettlement",
    "SavingsDistribution",
    "Scorecards",
    "Settlement",
    "SplitResult",
    "Trace",
    "adjust_intake",
    "allocate",
    "bill",
    "compare_outcomes",
    "derive_split",
    "distribute_savings",
    "measure_inline",
    "pay_milestones",
    "rate_from_history",
    "score",
    "settle_corridor",
    "settle_risk_pool",
    "ERRORS",
    "Citation",
    "DataProblem",
    "EndBeforeStartError",
    "Error",
    "InvalidDataError",
    "InvalidDateError",
    "InvalidDecimalError",
    "InvalidRequestError",
    "MissingCitationError",
    "MissingFieldError",
    "MissingParameterError",
    "NegativeAmountError",
    "NotADecimalStringError",
    "OutOfRangeError",
    "OverflowError",
    "OverlapError",
    "Program",
    "SharesDoNotSumError",
    "TooLargeError",
    "UnknownFieldError",
    "UnknownIdError",
    "canonical_json",
    "document_kinds",
    "evaluate",
    "evaluate_json",
    "evaluate_many",
    "load_program",
    "program",
    "program_ids",
    "programs",
    "schemas",
]
