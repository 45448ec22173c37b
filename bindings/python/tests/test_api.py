"""One test per typed function, with figures from the sources (shared/sources/) or worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import cwfinance as cw

# Missouri's six divisions as published, summing to 100.01%
# (000_b605dc6c8d05d2b7.txt, Missouri Interdepartmental Initiative).
MISSOURI = {
    "DMH/Alcohol & Drug Abuse": "0.57%",
    "DMH/Mental Retardation & Developmental Disabilities": "1.72%",
    "DMH/Comprehensive Psychiatric Services": "12%",
    "DSS/Youth Services": "7.22%",
    "DSS/Medical Services": "17.51%",
    "DSS/Family Services": "60.99%",
}


def test_allocate_missouri_strict_refuses_100_01_percent() -> None:
    with pytest.raises(cw.SharesDoNotSumError) as info:
        cw.allocate(Decimal("3329.00"), split=MISSOURI)
    assert info.value.kind == "shares_do_not_sum"
    assert info.value.field == "split.funders"
    assert info.value.value == "100.01%"


def test_allocate_missouri_normalized_adds_up_to_the_cent() -> None:
    # $3,329 a child-month (the Missouri case rate) split by share / 100.01%:
    # Family Services 3329 × 60.99 / 100.01 = 2030.154...; floors sum to 3328.97, and the 3
    # leftover cents go to the largest remainders (Youth, Medical, Family Services).
    r = cw.allocate(Decimal("3329.00"), split=MISSOURI, policy="normalize")
    amounts = r.amounts()
    assert amounts["DSS/Family Services"] == Decimal("2030.16")
    assert amounts["DSS/Medical Services"] == Decimal("582.85")
    assert amounts["DSS/Youth Services"] == Decimal("240.33")
    assert amounts["DMH/Alcohol & Drug Abuse"] == Decimal("18.97")
    assert sum(amounts.values()) == Decimal("3329.00")
    assert r.total == Decimal("3329.00")
    assert r.share_sum == Decimal("1.0001")
    assert isinstance(r.allocations[0].amount, Decimal)


def test_allocate_from_the_program_preset_and_int_and_str_amounts() -> None:
    by_int = cw.allocate(3329, program="missouri-interdepartmental-initiative")
    by_str = cw.allocate("3329.00", program=cw.program("missouri-interdepartmental-initiative"))
    assert by_int.amounts() == by_str.amounts()
    assert sum(by_int.amounts().values()) == Decimal("3329.00")


def test_allocate_a_ledger() -> None:
    r = cw.allocate(amounts=["0.01", "0.01"], split={"A": "50%", "B": "50%"})
    assert [a.amount for a in r.allocations] == [Decimal("0.02"), Decimal("0.00")]
    assert r.lines[1].allocations[1].amount == Decimal("0.00")


def test_floats_are_refused_unless_allowed() -> None:
    with pytest.raises(TypeError, match="binary floats cannot hold cents"):
        cw.allocate(3329.0, split={"A": "100%"})  # type: ignore[arg-type]
    r = cw.allocate(0.1, split={"A": "100%"}, allow_float=True)  # type: ignore[arg-type]
    assert r.total == Decimal("0.10")


def test_derive_split_from_expenditures() -> None:
    # 1 : 2 gives 33.33% and 66.67% (largest remainder keeps the sum at 100%).
    d = cw.derive_split({"A": "1.00", "B": 2})
    assert [s.share for s in d.shares] == [Decimal("0.3333"), Decimal("0.6667")]
    assert d.share_sum == Decimal("1")
    r = cw.allocate(100, split=d.split.to_dict())
    assert sum(r.amounts().values()) == Decimal("100.00")


def test_bill_missouri_case_rate() -> None:
    # $3,329 + $226 case management = $3,555 a month; enrolled 15 March: 17/31 × 3,555 =
    # 1,949.516... -> 1,949.52, then all of April, 3,555.00 (as_of 1 May is not billed).
    b = cw.bill(
        [{"child": "A", "start": dt.date(1999, 3, 15)}],
        as_of=dt.date(1999, 5, 1),
        program="missouri-interdepartmental-initiative",
    )
    assert [(line.month, line.amount) for line in b.lines] == [
        (dt.date(1999, 3, 1), Decimal("1949.52")),
        (dt.date(1999, 4, 1), Decimal("3555.00")),
    ]
    assert b.totals.grand_total == Decimal("5504.52")
    assert "5,504.52" in repr(b)
    assert "Billing summary" in b._repr_html_()


def test_settle_corridor_commonworks_source_example() -> None:
    # "a lead agency that receives ... $100,000, is responsible for covering costs up to 3%
    # above that amount ($103,000) ... the agency can also retain savings up to $3,000"
    # (001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks).
    cases = [
        ("103000.00", "3000.00", "0.00", "100000.00"),
        ("105000.00", "3000.00", "2000.00", "102000.00"),
        ("95000.00", "-3000.00", "-2000.00", "98000.00"),
    ]
    for actual, provider, payer, total in cases:
        s = cw.settle_corridor(
            Decimal("100000.00"), actual, as_of=dt.date(1999, 7, 15), program="commonworks-1998"
        )
        assert (s.provider_share, s.payer_share, s.payer_total) == (
            Decimal(provider), Decimal(payer), Decimal(total)
        )
        assert s.provider_share + s.payer_share == s.actual - s.target
        assert s.phase.name == "3% risk"
    assert "Corridor settlement" in s._repr_html_()
    assert "payer_share=-2,000.00" in repr(s)


def test_settle_risk_pool_missouri() -> None:
    # 250 children × $3,555 × 12 = $10,665,000; the pool is 3% of it: $319,950.00.
    r = cw.settle_risk_pool(
        "10665000.00",
        {"A": "42660.00", "B": "200000.00", "C": "250000.00", "D": "80000.00"},
        attachment_point="50000.00",
        program="missouri-interdepartmental-initiative",
    )
    assert r.pool == Decimal("319950.00")
    assert [c.paid for c in r.children] == [
        Decimal("0.00"), Decimal("126296.05"), Decimal("168394.74"), Decimal("25259.21")
    ]
    assert r.total_paid + r.total_unpaid == r.total_claimed


def test_rate_from_history_commonworks_method() -> None:
    # Four regions' simple mean 4,358.25 + 2.7% = 4,475.92275 -> $4,476 (the published rate).
    regions = [
        {"region": "Region A", "monthly_cost": "4310.00", "child_months": 1200},
        {"region": "Region B", "monthly_cost": "4345.00", "child_months": 900},
        {"region": "Region C", "monthly_cost": "4372.00", "child_months": 1500},
        {"region": "Region D", "monthly_cost": "4406.00", "child_months": 600},
        {"region": "Region E", "monthly_cost": "3150.00", "child_months": 800},
        {"region": "Region F", "monthly_cost": "6020.00", "child_months": 700},
    ]
    exclude = [
        {"region": "Region E", "reason": "outlier"},
        {"region": "Region F", "reason": "outlier"},
    ]
    r = cw.rate_from_history(regions, program="commonworks-1998", exclude=exclude)
    assert r.mean == Decimal("4358.25")
    assert r.rate == Decimal("4476.00")


def test_programs() -> None:
    ids = cw.program_ids()
    assert "commonworks-1998" in ids and len(ids) == len(cw.programs())
    p = cw.program("commonworks-1998")
    assert p.jurisdiction.startswith("Massachusetts")
    assert any(c.source == "001_f8713068464777ee.txt" for c in p.citations.values())
    assert "commonworks-1998" in p._repr_html_()
    with pytest.raises(cw.UnknownIdError):
        cw.program("commonworks-2099")


def test_load_a_users_own_program(tmp_path: object) -> None:
    import pathlib

    text = """{
      "id": "my-state", "name": "My State", "jurisdiction": "Somewhere",
      "summary": "A two-funder split.", "sources": ["contract.pdf"],
      "sections": {"split": {"funders": [
        {"name": "State", "share": {"value": "70%", "source": "contract.pdf", "section": "4.1"}},
        {"name": "Federal", "share": {"value": "30%", "source": "contract.pdf", "section": "4.1"}}
      ]}}
    }"""
    path = pathlib.Path(str(tmp_path)) / "my-state.json"
    path.write_text(text)
    p = cw.load_program(path)
    assert p.citations["split.funders[1].share"].section == "4.1"
    r = cw.allocate(Decimal("100.00"), program=p)
    assert r.amounts() == {"State": Decimal("70.00"), "Federal": Decimal("30.00")}
    with pytest.raises(cw.MissingCitationError) as info:
        cw.load_program(text.replace(
            '{"value": "30%", "source": "contract.pdf", "section": "4.1"}', '"30%"'
        ))
    assert info.value.value == "30%"


def test_score_phase_two_unit() -> None:
    # The core's example: FCCM A in Kansas City, two items present; the weights sum to 155%.
    sc = cw.score(
        [{"unit": "FCCM A", "region": "Kansas City",
          "values": {"worker_child_visits": "96%", "timely_permanency": "31%"}}],
        as_of=dt.date(2024, 9, 30),
    )
    card = sc.card("FCCM A")
    assert card.weight_sum == Decimal("1.55")
    assert card.incentive.exceeds_permanency_goal is True
    assert "FCCM A" in repr(sc) and "HB 1414 scorecards" in sc._repr_html_()


def test_measure_score_and_synthetic_data() -> None:
    ds = cw.synthetic_dataset(7, scale="0.02")
    assert set(ds) >= {"children", "episodes", "visits", "providers"}
    assert str(ds["episodes"].schema.field("removal_date").type) == "date32[day]"
    m = cw.measure(
        ds,
        periods={"granularity": "quarter", "first": dt.date(2024, 7, 1), "count": 1},
        by=["system", "provider"],
        metrics=["worker_child_visits", "reentry_within_12_months"],
    )
    assert [p.label for p in m.periods] == ["2024Q3"]
    table = m.to_arrow()
    assert set(table.column("metric").to_pylist()) <= {
        "worker_child_visits", "reentry_within_12_months"
    }
    system = [v for v in m["values"] if v.level == "system" and v.metric == "worker_child_visits"]
    assert len(system) == 1 and system[0].denominator > 0
    units = m.units(regions={"FCCM-KC1": "Kansas City"})
    scored = cw.score(units, as_of=dt.date(2024, 9, 30))
    assert len(scored.scorecards) == len(units)


def test_evaluate_many_and_document_kinds() -> None:
    kinds = cw.document_kinds()
    assert "corridor.settle" in kinds and "hb1414.score" in kinds
    out = cw.evaluate_many(
        [{"kind": "program.show", "program": pid} for pid in cw.program_ids()]
    )
    assert [o["id"] for o in out] == cw.program_ids()


def test_trace_repr() -> None:
    s = cw.settle_corridor(
        100000, 95000, as_of="1999-07-15", program="commonworks-1998", trace=True
    )
    assert s.trace is not None and len(s.trace) > 0
    assert "Trace(" in repr(s.trace)
    assert "001_f8713068464777ee.txt" in repr(s.trace)
    assert "<table>" in s.trace._repr_html_()


def test_pay_milestones_kansas_fy2000() -> None:
    # $13,564 × 25% = $3,391.00 at referral, 60-day report, 180-day plan and reunification,
    # plus an illustrative $500 referral fee: $14,064.00 (001_f8713068464777ee.txt, Kansas).
    r = cw.pay_milestones(
        [("referral", dt.date(1999, 8, 2)), ("progress_report_60_day", dt.date(1999, 10, 1)),
         ("case_plan_180_day", dt.date(2000, 1, 28)), ("reunification", dt.date(2000, 6, 15))],
        as_of=dt.date(2000, 6, 30),
        program="kansas-privatization-fy2000",
        parameters={"case_rate": Decimal("13564.00"), "referral_fee": 500},
    )
    assert r.totals.paid == Decimal("14064.00")
    assert [p.amount for p in r.payments].count(Decimal("3391.00")) == 4
    assert "paid=14,064.00" in repr(r)


def test_distribute_savings_commonworks() -> None:
    # $5,000 saved on $100,000: $3,000 (3%) to the lead agency, $2,000 to the regional DSS.
    r = cw.distribute_savings(Decimal("100000.00"), Decimal("95000.00"), program="commonworks-1998")
    assert [(x.name, x.amount) for x in r.recipients] == [
        ("lead agency", Decimal("3000.00")), ("regional DSS", Decimal("2000.00"))
    ]
    assert r.retained + r.returned_to_payer == r.savings


def test_adjust_intake_illinois() -> None:
    # Average LOS 200 days misses an illustrative 180-day standard: 40 × (1 − 25%) = 30.
    r = cw.adjust_intake(
        40,
        program="illinois-relative-care-los",
        parameters={"los_standard_days": 180, "intake_reduction": "25%"},
        measured_average_los_days=200,
        reimbursement_per_referral=Decimal("1000.00"),
    )
    assert (r.decision, r.intake_after) == ("reduced", "30")
    assert r.reimbursement_after == Decimal("30000.00")
    with pytest.raises(cw.MissingParameterError) as info:
        cw.adjust_intake(40, program="illinois-relative-care-los", measured_average_los_days=200)
    assert info.value.field == "parameters.los_standard_days"


def test_compare_outcomes_missouri_fccm_002() -> None:
    # Re-entry, Kansas City, Year 1: contractor 94.9% meets the 91.4% target, the mirror unit's
    # 81.3% does not; contractor minus mirror 13.6 points (002_acb0e5b8f340becc.txt).
    r = cw.compare_outcomes([{
        "domain": "Re-entry", "target": "91.4%",
        "cells": [{"region": "Kansas City", "period": "Year 1", "contractor": "94.9%", "mirror": "81.3%"},
                  {"region": "St. Louis", "period": "Year 1", "contractor": "96.2%", "mirror": None}],
    }])
    kc, stl = r.domains[0].cells
    assert (kc.contractor_met, kc.mirror_met) == (True, False)
    assert kc.contractor_minus_mirror == Decimal("0.136")
    assert stl.mirror_met is None
    assert "contractor 2/2" in repr(r)


def test_charts(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    import matplotlib

    matplotlib.use("Agg")
    s = cw.settle_corridor(100000, 105000, as_of="1999-07-15", program="commonworks-1998")
    assert s.plot() is not None
    sc = cw.score([{"unit": "A", "values": {"worker_child_visits": "96%"}}], as_of="2024-09-30")
    assert sc.plot() is not None
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install 'cwfinance\\[charts\\]'"):
        s.plot()
