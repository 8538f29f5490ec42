"""Demo indicators and progress reports, called by grants.demo_awards for each tenant's active awards:
targets on the workspace's indicators, and a first report written, submitted and approved with values by
sex and age band and its expenses (through the services, as the pages would)."""

from __future__ import annotations

from decimal import Decimal

from relais.actor import Actor
from relais.demographics import AgeBand, Sex

from .models import Award, Indicator, ReportStatus
from .reporting import expense_lines
from .services.indicators import indicator_targets_save
from .services.reports import report_save, report_transition

# Targets of the default indicators, in their order (people reached, sessions, committees, reintegrated).
TARGETS = (Decimal(900), Decimal(24), Decimal(6), Decimal(120))
# People reached in the first period, per sex and age band (the reintegrated: a tenth, 15–35 only).
PEOPLE = {
    Sex.FEMALE: {AgeBand.UNDER_15: 20, AgeBand.FROM_15_TO_24: 70, AgeBand.FROM_25_TO_35: 55,
                 AgeBand.FROM_36_TO_50: 40, AgeBand.OVER_50: 15},
    Sex.MALE: {AgeBand.UNDER_15: 15, AgeBand.FROM_15_TO_24: 60, AgeBand.FROM_25_TO_35: 50,
               AgeBand.FROM_36_TO_50: 35, AgeBand.OVER_50: 20},
}
SINGLE = (None, Decimal(9), Decimal(4), None)
SECTIONS = {
    "activities": "Six séances de dialogue intercommunautaire à Mopti et Sévaré ; formation de 24 médiateurs "
                  "(dont 11 femmes) ; mise en place de quatre comités de veille.",
    "results": "Deux conflits fonciers entre éleveurs et agriculteurs réglés à l'amiable ; les comités se "
               "réunissent chaque mois.",
    "changes": "Les femmes prennent davantage la parole lors des séances.",
    "challenges": "Insécurité sur l'axe Mopti–Djenné : deux séances reportées.",
    "lessons": "Associer les chefs coutumiers dès la préparation des séances.",
    "next_steps": "Étendre les séances à deux nouvelles communes ; suivi des accords conclus.",
}


def _indicators(award: Award) -> list[Indicator]:
    return list(Indicator.objects.filter(tenant_id=award.tenant_id, is_active=True).order_by("order", "id")[:4])


def demo_targets(award: Award, *, manager: Actor) -> None:
    indicator_targets_save(award=award, actor=manager,
                           targets={i.pk: target for i, target in zip(_indicators(award), TARGETS, strict=False)})


def approved_report(award: Award, *, applicant: Actor, manager: Actor) -> None:
    """The award's first report: written by the grantee, submitted, approved by the manager."""
    report = award.reports.get(number=1)
    if report.status == ReportStatus.APPROVED:
        return
    values: dict[tuple[int, str, str], Decimal | None] = {}
    for index, indicator in enumerate(_indicators(award)):
        if indicator.by_sex_and_age:
            share = 1 if index == 0 else 10  # the reintegrated: a tenth of the young people reached
            for sex, bands in PEOPLE.items():
                for band, count in bands.items():
                    young = band in (AgeBand.FROM_15_TO_24, AgeBand.FROM_25_TO_35)
                    values[(indicator.pk, sex, band)] = Decimal(count // share) if index == 0 or young else Decimal(0)
        else:
            values[(indicator.pk, "", "")] = SINGLE[index] or Decimal(0)
    lines = expense_lines(report, threshold=Decimal(10))
    expenses = {line.line.pk: ((line.line.amount * Decimal("0.3")).quantize(Decimal(1)), "") for line in lines}
    report_save(report=report, actor=applicant, sections=SECTIONS, values=values, expenses=expenses)
    report_transition(report=report, actor=applicant, target=ReportStatus.SUBMITTED)
    report_transition(report=report, actor=manager, target=ReportStatus.APPROVED)
