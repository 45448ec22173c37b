"""The result classes of the typed functions: readable ``repr``, notebook tables and charts.

Each is a :class:`~cwfinance._records.Record` (fields by attribute, money as ``Decimal``,
``to_dict()`` for the core's exact JSON); these classes only add presentation.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ._records import Record, _records_table, html_table


def _pct(value: Any) -> str:
    """A fraction as the percentage text the core prints (``0.6099`` -> ``60.99%``)."""
    if isinstance(value, Decimal):
        return f"{value.scaleb(2).normalize():f}%"
    return "" if value is None else str(value)


def _money(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return "" if value is None else str(value)


def _require_matplotlib() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - exercised when matplotlib is absent
        raise ImportError(
            "charts need matplotlib, an optional extra: pip install 'cwfinance[charts]' "
            "(or pip install matplotlib)"
        ) from e
    return plt


def _rows_html(title: str, summary: list[tuple[str, Any]], rows: Sequence[Any]) -> str:
    return html_table(summary, title)[: -len("</div>")] + _records_table(list(rows)) + "</div>"


class SplitResult(Record):
    """The allocation of an amount (or a ledger) across funders; parts add up to the cent."""

    def __repr__(self) -> str:
        lines = [f"SplitResult(total={_money(self.total)}, share_sum={_pct(self.share_sum)})"]
        for a in self.allocations:
            lines.append(f"  {a.funder:<52} {_pct(a.share):>7} {_money(a.amount):>16}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return _rows_html(
            "Split",
            [("total", _money(self.total)), ("share sum", _pct(self.share_sum)),
             ("policy", self.policy), ("rounding", self.rounding)],
            self.allocations,
        )

    def amounts(self) -> dict[str, Decimal]:
        """Each funder's amount, by name."""
        return {a.funder: a.amount for a in self.allocations}


class Derivation(Record):
    """Funding shares derived from expenditures; ``split`` is ready for :func:`allocate`."""

    def __repr__(self) -> str:
        shares = ", ".join(f"{s.funder}={_pct(s.share)}" for s in self.shares)
        return f"Derivation({shares}; share_sum={_pct(self.share_sum)})"

    def _repr_html_(self) -> str:
        return _rows_html(
            "Derived shares",
            [("total expenditure", _money(self.total_expenditure)),
             ("share sum", _pct(self.share_sum))],
            self.shares,
        )


class Bill(Record):
    """A billing summary: every month line, totals by child, month and funder."""

    def __repr__(self) -> str:
        t = self.totals
        return (
            f"Bill({t.lines} lines, grand_total={_money(t.grand_total)}, "
            f"children={len(t.by_child)}, months={len(t.by_month)})"
        )

    def _repr_html_(self) -> str:
        t = self.totals
        summary: list[tuple[str, Any]] = [
            ("lines", t.lines),
            ("grand total", _money(t.grand_total)),
            ("convention", self.convention),
            ("rounding", self.rounding),
        ]
        if t.field("by_funder"):
            summary += [(f"funder: {f.name}", _money(f.amount)) for f in t.by_funder]
        return _rows_html("Billing summary", summary, list(self.lines)[:50])


class MilestonePayments(Record):
    """Milestone payments due by ``as_of``, with failed triggers and withholds."""

    def __repr__(self) -> str:
        return (
            f"MilestonePayments(paid={_money(self.totals.paid)}, payments={len(self.payments)}, "
            f"failed={len(self.failed)})"
        )

    def _repr_html_(self) -> str:
        return _rows_html(
            "Milestone payments",
            [(k.replace("_", " "), _money(v)) for k, v in self.totals.fields().items()],
            self.payments,
        )


class Settlement(Record):
    """A risk-corridor settlement: provider share + payer share = actual - target, exactly."""

    def __repr__(self) -> str:
        return (
            f"Settlement(target={_money(self.target)}, actual={_money(self.actual)}, "
            f"difference={_money(self.difference)}, provider_share={_money(self.provider_share)}, "
            f"payer_share={_money(self.payer_share)}, payer_total={_money(self.payer_total)})"
        )

    def _repr_html_(self) -> str:
        summary = [
            (k.replace("_", " "), _money(self.field(k)))
            for k in ("target", "actual", "difference", "provider_share", "payer_share",
                      "payer_total", "provider_gain")
        ]
        if self.field("phase") is not None:
            summary.append(("phase", self.phase.field("name") or self.phase.number))
        return _rows_html("Corridor settlement", summary, self.bands)

    def plot(self, ax: Any = None) -> Any:
        """A bar chart of each band's provider and payer shares (needs matplotlib)."""
        plt = _require_matplotlib()
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3))
        labels = [f"band {b.band}" for b in self.bands]
        provider = [float(b.provider_share) for b in self.bands]
        payer = [float(b.payer_share) for b in self.bands]
        xs = list(range(len(labels)))
        ax.bar([x - 0.2 for x in xs], provider, width=0.4, label="provider")
        ax.bar([x + 0.2 for x in xs], payer, width=0.4, label="payer")
        ax.set_xticks(xs, labels)
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set_ylabel("dollars")
        ax.set_title(f"Corridor: actual - target = {_money(self.difference)}")
        ax.legend()
        return ax


class SavingsDistribution(Record):
    """Retained savings distributed between the provider and the region."""

    def __repr__(self) -> str:
        parts = ", ".join(f"{r.name}={_money(r.amount)}" for r in self.recipients)
        return (
            f"SavingsDistribution(savings={_money(self.savings)}, retained={_money(self.retained)}, "
            f"{parts}, returned_to_payer={_money(self.returned_to_payer)})"
        )


class RiskPoolSettlement(Record):
    """A risk pool drawn down for children above the attachment point."""

    def __repr__(self) -> str:
        return (
            f"RiskPoolSettlement(pool={_money(self.pool)}, total_paid={_money(self.total_paid)}, "
            f"total_unpaid={_money(self.total_unpaid)}, remaining={_money(self.remaining)})"
        )

    def _repr_html_(self) -> str:
        return _rows_html(
            "Risk pool",
            [(k.replace("_", " "), _money(self.field(k)))
             for k in ("budget", "pool", "attachment_point", "total_claimed", "total_paid",
                       "total_unpaid", "remaining")],
            self.children,
        )


class RateResult(Record):
    """A case rate set from historical costs."""

    def __repr__(self) -> str:
        return f"RateResult(rate={_money(self.rate)}, mean={_money(self.mean)}, regions={len(self.included)})"


class IntakeAdjustment(Record):
    """An intake payment adjusted for a missed length-of-stay standard."""

    def __repr__(self) -> str:
        return (
            f"IntakeAdjustment(decision={self.decision!r}, intake_before={self.intake_before!r}, "
            f"intake_after={self.intake_after!r})"
        )


class Scorecards(Record):
    """HB 1414 scorecards: one per unit, with weighted score, weakness flags and incentive."""

    def __repr__(self) -> str:
        lines = [f"Scorecards(phase={self.phase!r}, {len(self.scorecards)} units)"]
        for c in self.scorecards:
            flags = ", ".join(w.flag for w in c.weakness) or "-"
            lines.append(
                f"  {c.unit:<40} total={_pct(c.total):>9} goals_met={c.field('goals_met')!s:<5} "
                f"incentive={_pct(c.incentive.share):>6} weakness={flags}"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr>"
            f"<td>{html.escape(c.unit)}</td><td>{html.escape(str(c.field('region') or ''))}</td>"
            f"<td>{_pct(c.total)}</td><td>{_pct(c.weight_sum)}</td>"
            f"<td>{c.field('goals_met')}</td><td>{_pct(c.incentive.share)}</td>"
            f"<td>{html.escape(', '.join(w.flag for w in c.weakness))}</td>"
            "</tr>"
            for c in self.scorecards
        )
        return (
            f"<div><strong>HB 1414 scorecards ({html.escape(str(self.phase))})</strong><table>"
            "<thead><tr><th>unit</th><th>region</th><th>total</th><th>weights</th>"
            "<th>goals met</th><th>incentive</th><th>weakness</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )

    def card(self, unit: str) -> Record:
        """The scorecard of ``unit``."""
        for c in self.scorecards:
            if c.unit == unit:
                return c  # type: ignore[no-any-return]
        raise KeyError(unit)

    def plot(self, ax: Any = None) -> Any:
        """A bar chart of each unit's total score (needs matplotlib)."""
        plt = _require_matplotlib()
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 3))
        units = [c.unit for c in self.scorecards]
        totals = [float(c.total) * 100 for c in self.scorecards]
        ax.barh(units, totals)
        ax.set_xlabel("total score (% of weights)")
        ax.set_title(f"HB 1414 scores ({self.phase})")
        return ax


class Measurement(Record):
    """HB 1414 metric values by period, level and unit, with exclusions and load statistics.

    From DataFrames the values arrive as an Arrow table (``to_arrow()``, ``to_pandas()``),
    built by the core column by column; ``m["values"]`` turns them into records on first use.
    """

    _table: Any = None
    core_seconds: float = 0.0
    """Seconds spent inside the Rust core loading and measuring (the rest is the binding's)."""

    @classmethod
    def _from_arrow(
        cls, response: dict[str, Any], table: Any, core_seconds: float = 0.0
    ) -> Measurement:
        from ._records import convert_response

        m = convert_response("hb1414.measure", response, cls)
        object.__setattr__(m, "_table", table)
        object.__setattr__(m, "_materialized", False)
        object.__setattr__(m, "core_seconds", core_seconds)
        return m

    def _materialize(self) -> None:
        if self._table is None or self.__dict__.get("_materialized", True):
            return
        raw_rows = []
        for row in self._table.to_pylist():
            if row.get("suppressed") is None:
                row.pop("suppressed", None)
            raw_rows.append(row)
        self._raw["values"] = raw_rows
        self._fields["values"] = [Record({**r, "suppressed": r.get("suppressed")}, r) for r in raw_rows]
        object.__setattr__(self, "_materialized", True)

    def __getattr__(self, name: str) -> Any:
        if name == "values":
            self._materialize()
        return super().__getattr__(name)

    def __getitem__(self, key: str) -> Any:
        if key == "values":
            self._materialize()
        return super().__getitem__(key)

    def to_dict(self) -> dict[str, Any]:
        self._materialize()
        return super().to_dict()

    @property
    def value_count(self) -> int:
        """The number of metric values."""
        if self._table is not None:
            return int(self._table.num_rows)
        return len(self._raw.get("values", []))

    def __repr__(self) -> str:
        labels = ", ".join(p.label for p in self.periods)
        return f"Measurement(periods=[{labels}], values={self.value_count})"

    def _repr_html_(self) -> str:
        head = self.to_arrow().slice(0, 100).to_pylist()
        return _rows_html(
            "HB 1414 measurement",
            [("periods", ", ".join(p.label for p in self.periods)), ("values", self.value_count)],
            head,
        )

    def to_arrow(self) -> Any:
        """The values as a pyarrow Table (period, level, unit, metric, numerator, ...)."""
        if self._table is not None:
            return self._table
        import pyarrow as pa

        cols = ["period", "level", "unit", "metric", "numerator", "denominator", "value", "suppressed"]
        raw = self._raw.get("values", [])
        return pa.table(
            {
                c: pa.array(
                    [r.get(c) for r in raw],
                    type=pa.uint64() if c in ("numerator", "denominator") else pa.string(),
                )
                for c in cols
            }
        )

    def to_pandas(self) -> Any:
        """The values as a pandas DataFrame."""
        return self.to_arrow().to_pandas()

    def units(
        self,
        period: str | None = None,
        *,
        level: str = "provider",
        regions: dict[str, str] | None = None,
        contractors: dict[str, bool] | None = None,
    ) -> list[dict[str, Any]]:
        """The ``units`` argument of :func:`cwfinance.score` for one period (default: the last).

        Every unit of ``level`` gets its values (``None`` when suppressed or undefined);
        ``regions`` and ``contractors`` map a unit to the region whose goals apply and to
        whether it is a contractor (from your providers table).
        """
        import pyarrow.compute as pc

        label = period if period is not None else self.periods[-1].label
        table = self.to_arrow()
        chosen = table.filter(
            pc.and_(pc.equal(table["period"], label), pc.equal(table["level"], level))
        )
        units: dict[str, dict[str, Any]] = {}
        for unit, metric, value in zip(
            chosen["unit"].to_pylist(), chosen["metric"].to_pylist(), chosen["value"].to_pylist()
        ):
            entry = units.setdefault(unit, {"unit": unit, "values": {}})
            entry["values"][metric] = value
        for name, entry in units.items():
            if regions and name in regions:
                entry["region"] = regions[name]
            if contractors and name in contractors:
                entry["contractor"] = contractors[name]
        return list(units.values())


class OutcomeComparison(Record):
    """Contractor versus mirror-unit outcomes, by domain, region and period."""

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{d.domain}: contractor {d.contractor_met}/{d.contractor_cells}, "
            f"mirror {d.mirror_met}/{d.mirror_cells}"
            for d in self.domains
        )
        return f"OutcomeComparison({parts})"
