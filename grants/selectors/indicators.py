"""Indicators read for the pages: the workspace's list, an award's progress against its targets and a
call's totals over its awards (by sex, by age band with the youth share, by zone). Every figure is summed
in SQL (GROUP BY), so a page costs the same few queries with 3 awards or 300."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from orgs.models import Zone
from relais.actor import Actor
from relais.demographics import YOUTH_BANDS, AgeBand, Sex

from ..models import Award, Call, Indicator, IndicatorTarget, IndicatorValue, ReportStatus

COUNTED = (ReportStatus.APPROVED, ReportStatus.SUBMITTED)  # submitted: shown apart, not yet counted


def indicator_list(*, actor: Actor) -> QuerySet[Indicator]:
    return Indicator.objects.filter(tenant=actor.tenant).order_by("order", "id")


def active_indicators(*, tenant_id: int) -> list[Indicator]:
    return list(Indicator.objects.filter(tenant_id=tenant_id, is_active=True).order_by("order", "id"))


def award_targets(*, award: Award) -> list[IndicatorTarget]:
    return list(IndicatorTarget.objects.filter(tenant_id=award.tenant_id, award=award)
                .select_related("indicator").order_by("indicator__order", "indicator_id"))


def _percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("1"))


@dataclass
class Breakdown:
    """Approved values by sex and by age band (people-counting indicators), with the youth share."""

    by_sex: dict[str, Decimal] = field(default_factory=dict)
    by_band: dict[str, Decimal] = field(default_factory=dict)

    def add(self, sex: str, band: str, value: Decimal) -> None:
        if sex:
            self.by_sex[sex] = self.by_sex.get(sex, Decimal(0)) + value
        if band:
            self.by_band[band] = self.by_band.get(band, Decimal(0)) + value

    @property
    def sexes(self) -> list[tuple[str, Decimal]]:
        return [(label, self.by_sex.get(value, Decimal(0))) for value, label in Sex.choices]

    @property
    def bands(self) -> list[tuple[str, Decimal]]:
        return [(label, self.by_band.get(value, Decimal(0))) for value, label in AgeBand.choices]

    @property
    def youth(self) -> Decimal:
        return sum((v for band, v in self.by_band.items() if band in YOUTH_BANDS), Decimal(0))

    @property
    def youth_share(self) -> Decimal | None:
        """Share of the 15–35 among the people counted by age band, in % (None when nobody was)."""
        return _percent(self.youth, sum(self.by_band.values(), Decimal(0)))


@dataclass
class AwardProgress:
    """One targeted indicator of an award: the cumulative value of approved reports against the target,
    and what submitted reports (awaiting review) would add."""

    target: IndicatorTarget
    approved: Decimal = Decimal(0)
    submitted: Decimal = Decimal(0)
    breakdown: Breakdown = field(default_factory=Breakdown)

    @property
    def indicator(self) -> Indicator:
        return self.target.indicator

    @property
    def progress(self) -> Decimal | None:
        return _percent(self.approved, self.target.target)

    @property
    def progress_with_submitted(self) -> Decimal | None:
        return _percent(self.approved + self.submitted, self.target.target)


def award_progress(*, award: Award) -> list[AwardProgress]:
    """Each targeted indicator of the award with its cumulative values: two queries."""
    rows = {t.indicator_id: AwardProgress(t) for t in award_targets(award=award)}
    if not rows:
        return []
    for indicator_id, status, sex, band, total in (
            IndicatorValue.objects.filter(tenant_id=award.tenant_id, report__award_id=award.pk,
                                          report__status__in=COUNTED, indicator_id__in=rows)
            .values_list("indicator_id", "report__status", "sex", "age_band").annotate(total=Sum("value"))
            .order_by()):
        row = rows[indicator_id]
        if status == ReportStatus.APPROVED:
            row.approved += total
            row.breakdown.add(sex, band, total)
        else:
            row.submitted += total
    return list(rows.values())


@dataclass
class CallIndicator:
    """One indicator over a call's awards: targets summed, approved values by sex, age band and zone."""

    indicator: Indicator
    target: Decimal = Decimal(0)
    awards: int = 0
    approved: Decimal = Decimal(0)
    submitted: Decimal = Decimal(0)
    breakdown: Breakdown = field(default_factory=Breakdown)
    by_zone: dict[str, Decimal] = field(default_factory=dict)

    @property
    def progress(self) -> Decimal | None:
        return _percent(self.approved, self.target)

    @property
    def zones(self) -> list[tuple[str, Decimal]]:
        """Every zone (the grantee's region's zone), then "no region" when some grantee has none."""
        rows = [(label, self.by_zone.get(value, Decimal(0))) for value, label in Zone.choices]
        if self.by_zone.get(""):
            from django.utils.translation import gettext as _

            rows.append((_("No region"), self.by_zone[""]))
        return rows


def call_indicators(*, call: Call) -> list[CallIndicator]:
    """The call's indicators (targeted on one of its awards or reported on): three queries, whatever the
    number of awards."""
    rows: dict[int, CallIndicator] = {}
    indicators = {i.pk: i for i in Indicator.objects.filter(tenant_id=call.tenant_id)}
    for indicator_id, target, awards in (
            IndicatorTarget.objects.filter(tenant_id=call.tenant_id, award__call_id=call.pk)
            .values_list("indicator_id").annotate(total=Sum("target"), awards=Count("award_id", distinct=True))
            .order_by()):
        rows[indicator_id] = CallIndicator(indicators[indicator_id], target=target, awards=awards)
    for indicator_id, status, sex, band, zone, total in (
            IndicatorValue.objects.filter(tenant_id=call.tenant_id, report__award__call_id=call.pk,
                                          report__status__in=COUNTED)
            .values_list("indicator_id", "report__status", "sex", "age_band",
                         "report__award__organisation__region__zone")
            .annotate(total=Sum("value")).order_by()):
        row = rows.get(indicator_id) or rows.setdefault(indicator_id, CallIndicator(indicators[indicator_id]))
        if status != ReportStatus.APPROVED:
            row.submitted += total
            continue
        row.approved += total
        row.breakdown.add(sex, band, total)
        row.by_zone[zone or ""] = row.by_zone.get(zone or "", Decimal(0)) + total
    return sorted(rows.values(), key=lambda r: (r.indicator.order, r.indicator.pk))
