"""Typed functions for every capability: each builds one calculation document and runs it.

No rule lives here: a function names its document's fields as keyword arguments, converts
Python values at the edge (``Decimal``/``int``/``str`` amounts, ``datetime.date`` dates, floats
refused unless ``allow_float=True``), runs the document in the core and returns its typed view.
The document formats are described in ``docs/schema/`` and ``docs/python.md``.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from . import _lowlevel
from ._convert import decimal_text
from ._errors import _raise_for_error
from ._programs import Program
from ._records import Record, convert_response, encode_request
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

Amount = Decimal | int | str
"""An amount of dollars: ``Decimal("3329.00")``, ``3329`` or ``"3329.00"`` (never a float)."""
Share = Decimal | int | str
"""A share: ``"60.99%"``, or a fraction as ``Decimal("0.6099")`` or ``"0.6099"``."""
DateLike = _dt.date | str
ProgramLike = Program | str | Mapping[str, Any]

R = TypeVar("R", bound=Record)


def _run(kind: str, request: Mapping[str, Any], cls: type[R], allow_float: bool) -> R:
    body = encode_request(kind, request, allow_float=allow_float)
    text = _lowlevel.evaluate(json.dumps(body, ensure_ascii=False))
    response = _raise_for_error(json.loads(text))
    return convert_response(kind, response, cls)


def _program(program: ProgramLike | None) -> Any:
    if program is None or isinstance(program, str):
        return program
    if isinstance(program, Program):
        return program._to_request()
    return dict(program)


def _split(split: Any) -> Any:
    """A split as the document wants it: ``{"funders": [{"name", "share"}...]}``.

    Accepts that form, a mapping of funder name to share (``{"DSS": "60.99%", ...}``), or a
    sequence of ``(name, share)`` pairs or funder dicts.
    """
    if split is None or isinstance(split, bool):
        return split
    if isinstance(split, Mapping):
        if "funders" in split:
            return dict(split)
        return {"funders": [{"name": k, "share": v} for k, v in split.items()]}
    if isinstance(split, Sequence) and not isinstance(split, str):
        funders = []
        for f in split:
            if isinstance(f, Mapping):
                funders.append(dict(f))
            else:
                name, share = f
                funders.append({"name": name, "share": share})
        return {"funders": funders}
    return split


def _pairs(value: Any, key: str, val: str) -> Any:
    """A mapping ``{k: v}`` as ``[{key: k, val: v}]``; sequences pass unchanged."""
    if isinstance(value, Mapping):
        return [{key: k, val: v} for k, v in value.items()]
    return value


# --- funding splits ------------------------------------------------------------------------


def allocate(
    amount: Amount | None = None,
    *,
    split: Any = None,
    amounts: Sequence[Amount] | None = None,
    program: ProgramLike | None = None,
    policy: Any = None,
    rounding: str | None = None,
    trace: bool = False,
    allow_float: bool = False,
) -> SplitResult:
    """Allocate ``amount`` (or each of ``amounts``) across funders by share, to the cent.

    The parts always add up to the amount exactly (largest remainder). ``split`` is a mapping of
    funder name to share, a list of ``(name, share)``, or the document's ``{"funders": [...]}``;
    without it the program's ``split`` section is used. ``policy`` is ``"strict"`` (shares must
    sum to 100%, else :class:`SharesDoNotSumError`), ``"normalize"`` or
    ``{"residual": {"funder": name}}``.
    """
    return _run(
        "split",
        {
            "amount": amount,
            "amounts": list(amounts) if amounts is not None else None,
            "split": _split(split),
            "program": _program(program),
            "policy": policy,
            "rounding": rounding,
            "trace": trace or None,
        },
        SplitResult,
        allow_float,
    )


def derive_split(
    expenditures: Mapping[str, Amount] | Sequence[Mapping[str, Any]],
    *,
    decimal_places: int | None = None,
    residue: str | None = None,
    rounding: str | None = None,
    trace: bool = False,
    allow_float: bool = False,
) -> Derivation:
    """Derive funding shares from historical expenditures by funder (``{"DSS": amount, ...}``)."""
    return _run(
        "split.derive",
        {
            "expenditures": _pairs(expenditures, "funder", "amount"),
            "decimal_places": decimal_places,
            "residue": residue,
            "rounding": rounding,
            "trace": trace or None,
        },
        Derivation,
        allow_float,
    )


# --- case rates ----------------------------------------------------------------------------


def bill(
    enrollments: Sequence[Mapping[str, Any]],
    *,
    as_of: DateLike,
    schedule: Mapping[str, Any] | None = None,
    program: ProgramLike | None = None,
    period: Mapping[str, Any] | None = None,
    convention: str | None = None,
    rounding: str | None = None,
    split: Any = None,
    split_policy: Any = None,
    actual_costs: Sequence[Mapping[str, Any]] | None = None,
    trace: bool = False,
    allow_float: bool = False,
) -> Bill:
    """Bill enrollment spans month by month under a dated rate schedule.

    ``enrollments`` are ``{"child", "start", "end"?, "extension_authorised"?}`` (dates as
    ``datetime.date``); ``schedule`` defaults to the program's ``case_rate`` section. With
    ``split=True`` (the program's split) or a split, every line is divided among funders. For
    DataFrames of many enrollments use :func:`cwfinance.bill_frame`.
    """
    return _run(
        "case_rate.bill",
        {
            "enrollments": [dict(e) for e in enrollments],
            "as_of": as_of,
            "schedule": schedule,
            "program": _program(program),
            "period": period,
            "convention": convention,
            "rounding": rounding,
            "split": _split(split),
            "split_policy": split_policy,
            "actual_costs": actual_costs,
            "trace": trace or None,
        },
        Bill,
        allow_float,
    )


# --- milestones ----------------------------------------------------------------------------


def pay_milestones(
    events: Sequence[Mapping[str, Any]] | Sequence[tuple[str, DateLike]],
    *,
    as_of: DateLike,
    schedule: Mapping[str, Any] | None = None,
    program: ProgramLike | None = None,
    parameters: Mapping[str, Any] | None = None,
    missing_parameters: str | None = None,
    rounding: str | None = None,
    trace: bool = False,
    allow_float: bool = False,
) -> MilestonePayments:
    """Apply a milestone schedule (or the program's ``milestones``) to a case's dated events.

    ``events`` are ``{"event": "...", "date": date}`` dicts or ``(event, date)`` pairs.
    """
    listed = [
        dict(e) if isinstance(e, Mapping) else {"event": e[0], "date": e[1]} for e in events
    ]
    return _run(
        "milestones.pay",
        {
            "events": listed,
            "as_of": as_of,
            "schedule": schedule,
            "program": _program(program),
            "parameters": parameters,
            "missing_parameters": missing_parameters,
            "rounding": rounding,
            "trace": trace or None,
        },
        MilestonePayments,
        allow_float,
    )


# --- corridors, savings and risk pools -----------------------------------------------------


def settle_corridor(
    target: Amount,
    actual: Amount,
    *,
    as_of: DateLike | None = None,
    corridor: Mapping[str, Any] | None = None,
    program: ProgramLike | None = None,
    phase_in_start: DateLike | None = None,
    beyond_last_band: str | None = None,
    rounding: str | None = None,
    trace: bool = False,
    allow_float: bool = False,
) -> Settlement:
    """Settle ``actual`` cost against ``target`` through a risk corridor.

    The provider's and the payer's shares add up to ``actual - target`` exactly. ``corridor``
    defaults to the program's ``corridor`` section; a phased corridor needs ``as_of``.
    """
    return _run(
        "corridor.settle",
        {
            "target": decimal_text(target, "target", allow_float=allow_float),
            "actual": decimal_text(actual, "actual", allow_float=allow_float),
            "as_of": as_of,
            "corridor": corridor,
            "program": _program(program),
            "phase_in_start": phase_in_start,
            "beyond_last_band": beyond_last_band,
            "rounding": rounding,
            "trace": trace or None,
        },
        Settlement,
        allow_float,
    )


def distribute_savings(
    payments: Amount,
    costs: Amount,
    *,
    savings: Mapping[str, Any] | None = None,
    program: ProgramLike | None = None,
    order: str | None = None,
    rounding: str | None = None,
    trace: bool = False,
    allow_float: bool = False,
) -> SavingsDistribution:
    """Distribute retained savings (``payments - costs``) between the provider and the region."""
    return _run(
        "savings.distribute",
        {
            "payments": decimal_text(payments, "payments", allow_float=allow_float),
            "costs": decimal_text(costs, "costs", allow_float=allow_float),
            "savings": savings,
            "program": _program(program),
            "order": order,
            "rounding": rounding,
            "trace": trace or None,
        },
        SavingsDistribution,
        allow_float,
    )


def settle_risk_pool(
    budget: Amount,
    children: Mapping[str, Amount] | Sequence[Mapping[str, Any]],
    *,
    risk_pool: Mapping[str, Any] | None = None,
    program: ProgramLike | None = None,
    attachment_point: Amount | None = None,
    drawdown_order: str | None = None,
    trace: bool = False,
    allow_float: bool = False,
) -> RiskPoolSettlement:
    """Draw down a risk pool for children whose cost exceeds the attachment point.

    ``children`` is ``{child_id: cost}`` or a list of ``{"id", "cost"}``.
    """
    return _run(
        "risk_pool.settle",
        {
            "budget": decimal_text(budget, "budget", allow_float=allow_float),
            "children": _pairs(children, "id", "cost"),
            "risk_pool": risk_pool,
            "program": _program(program),
            "attachment_point": attachment_point,
            "drawdown_order": drawdown_order,
            "trace": trace or None,
        },
        RiskPoolSettlement,
        allow_float,
    )


# --- rate setting and intake ---------------------------------------------------------------


def rate_from_history(
    regions: Mapping[str, Amount] | Sequence[Mapping[str, Any]],
    *,
    method: Mapping[str, Any] | None = None,
    program: ProgramLike | None = None,
    mean: str | None = None,
    exclude: Sequence[Mapping[str, Any]] | None = None,
    round_to: str | None = None,
    rounding: str | None = None,
    trace: bool = False,
    allow_float: bool = False,
) -> RateResult:
    """Set a case rate from historical per-child monthly costs by region.

    ``regions`` is ``{region: monthly_cost}`` or a list of
    ``{"region", "monthly_cost", "child_months"?}``.
    """
    return _run(
        "rate.from_history",
        {
            "regions": _pairs(regions, "region", "monthly_cost"),
            "method": method,
            "program": _program(program),
            "mean": mean,
            "exclude": exclude,
            "round_to": round_to,
            "rounding": rounding,
            "trace": trace or None,
        },
        RateResult,
        allow_float,
    )


def adjust_intake(
    intake: Amount,
    *,
    program: ProgramLike | None = None,
    rule: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
    stays: Sequence[Mapping[str, Any]] | None = None,
    measured_average_los_days: Amount | None = None,
    reimbursement_per_referral: Amount | None = None,
    rounding: str | None = None,
    trace: bool = False,
    allow_float: bool = False,
) -> IntakeAdjustment:
    """Reduce intake payments when a length-of-stay standard is missed."""
    return _run(
        "intake.adjust",
        {
            "intake": decimal_text(intake, "intake", allow_float=allow_float),
            "program": _program(program),
            "rule": rule,
            "parameters": parameters,
            "stays": stays,
            "measured_average_los_days": measured_average_los_days,
            "reimbursement_per_referral": reimbursement_per_referral,
            "rounding": rounding,
            "trace": trace or None,
        },
        IntakeAdjustment,
        allow_float,
    )


# --- HB 1414 -------------------------------------------------------------------------------


def score(
    units: Sequence[Mapping[str, Any]],
    *,
    as_of: DateLike,
    items: Sequence[Mapping[str, Any]] | None = None,
    regional_goals: Sequence[Mapping[str, Any]] | None = None,
    options: Mapping[str, Any] | None = None,
    trace: bool = False,
) -> Scorecards:
    """Score providers' metric values against the HB 1414 goals in force on ``as_of``.

    ``units`` are ``{"unit": name, "region"?: ..., "contractor"?: bool, "values": {metric: value}}``
    (values as text, ``"96%"``; a :class:`Measurement` gives them with
    :meth:`Measurement.units`). The result has one scorecard per unit: weighted score, weakness
    flags and incentive eligibility.
    """
    return _run(
        "hb1414.score",
        {
            "units": [dict(u) for u in units],
            "as_of": as_of,
            "items": items,
            "regional_goals": regional_goals,
            "options": options,
            "trace": trace or None,
        },
        Scorecards,
        False,
    )


def compare_outcomes(
    domains: Sequence[Mapping[str, Any]],
    *,
    met_rule: str | None = None,
    trace: bool = False,
) -> OutcomeComparison:
    """Compare contractor and public mirror-unit outcomes with their targets."""
    return _run(
        "outcomes.compare",
        {"domains": list(domains), "met_rule": met_rule, "trace": trace or None},
        OutcomeComparison,
        False,
    )


def measure_inline(
    data: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    periods: Mapping[str, Any],
    metrics: Sequence[str] | None = None,
    by: Sequence[str] | None = None,
    options: Mapping[str, Any] | None = None,
    suppression: Mapping[str, Any] | None = None,
) -> Measurement:
    """Measure HB 1414 metrics from small inline tables (``{"children": [{...}], ...}``).

    For DataFrames, use :func:`cwfinance.measure`, which takes any Arrow-compatible tables.
    """
    return _run(
        "hb1414.measure",
        {
            "data": {k: [dict(r) for r in rows] for k, rows in data.items()},
            "periods": periods,
            "metrics": metrics,
            "by": by,
            "options": options,
            "suppression": suppression,
        },
        Measurement,
        False,
    )
