"""Hypothesis properties: allocations add up to the cent; settlement identities hold."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

import cwfinance as cw

cents = st.integers(min_value=-10**13, max_value=10**13)
shares = st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=8)


def _amount(c: int) -> Decimal:
    return Decimal(c).scaleb(-2)


@settings(max_examples=60, deadline=None)
@given(amount=cents, weights=shares)
def test_allocations_add_up_to_the_cent(amount: int, weights: list[int]) -> None:
    # Shares in basis points, normalized by the core (any sum is accepted under "normalize").
    split = {f"F{i}": f"{Decimal(w).scaleb(-2)}%" for i, w in enumerate(weights)}
    r = cw.allocate(_amount(amount), split=split, policy="normalize")
    parts = [a.amount for a in r.allocations]
    assert sum(parts) == _amount(amount)
    for a in r.allocations:
        assert abs(a.amount - a.exact) < Decimal("0.01")


@settings(max_examples=30, deadline=None)
@given(amounts=st.lists(cents, min_size=1, max_size=40), weights=shares)
def test_split_frame_rows_add_up(amounts: list[int], weights: list[int]) -> None:
    # Shares in basis points, normalized by the core (any sum is accepted under "normalize").
    split = {f"F{i}": f"{Decimal(w).scaleb(-2)}%" for i, w in enumerate(weights)}
    table = pa.table({"amount": pa.array([_amount(a) for a in amounts], pa.decimal128(18, 2))})
    out = cw.split_frame(table, split=split, policy="normalize")
    for row in out.to_pylist():
        assert sum(row[f] for f in split) == row["amount"]


@settings(max_examples=60, deadline=None)
@given(
    target=st.integers(min_value=1, max_value=10**11),
    actual=st.integers(min_value=0, max_value=10**11),
    as_of=st.sampled_from(["1998-11-01", "1999-03-15", "1999-07-15", "2001-01-01"]),
)
def test_settlement_identity(target: int, actual: int, as_of: str) -> None:
    s = cw.settle_corridor(_amount(target), _amount(actual), as_of=as_of, program="commonworks-1998")
    # provider + payer = actual - target, exactly; the payer pays the target plus its share.
    assert s.provider_share + s.payer_share == _amount(actual) - _amount(target)
    assert s.payer_total == _amount(target) + s.payer_share
    assert s.provider_gain == -s.provider_share


@settings(max_examples=20, deadline=None)
@given(pairs=st.lists(st.tuples(st.integers(1, 10**9), st.integers(0, 10**9)), min_size=1, max_size=30))
def test_settle_frame_matches_settle_corridor(pairs: list[tuple[int, int]]) -> None:
    table = pa.table({
        "target": pa.array([_amount(t) for t, _ in pairs], pa.decimal128(18, 2)),
        "actual": pa.array([_amount(a) for _, a in pairs], pa.decimal128(18, 2)),
    })
    out = cw.settle_frame(table, program="commonworks-1998", as_of="1999-07-15").to_pylist()
    for (t, a), row in zip(pairs, out):
        one = cw.settle_corridor(_amount(t), _amount(a), as_of="1999-07-15", program="commonworks-1998")
        assert (row["provider_share"], row["payer_share"]) == (one.provider_share, one.payer_share)
