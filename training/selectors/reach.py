"""Reach of the training programme: participants and person-days by sex, age band, region, zone and
organisation, computed in SQL with GROUP BY (one query per breakdown, whatever the number of sessions).

A participant counts once per breakdown even when trained in several sessions; a person-day is one
day marked present or late.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from orgs.models import Zone
from relais.actor import Actor
from relais.demographics import YOUTH_BANDS, AgeBand, Sex

from ..models import AttendanceStatus, Registration, TrainingSession
from .sessions import session_list

MINIMUM_SHARE = Decimal("30")  # % of women and of youth the programme commits to
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
ORGANISATION_ROWS = 20

# breakdown key -> (ORM path, labels or None for free text)
BREAKDOWNS: dict[str, tuple[str, Any]] = {
    "sex": ("participant__sex", dict(Sex.choices)),
    "age_band": ("participant__age_band", dict(AgeBand.choices)),
    "zone": ("participant__organisation__region__zone", dict(Zone.choices)),
    "region": ("participant__organisation__region__name", None),
    "organisation": ("participant__organisation__name", None),
}


@dataclass
class Row:
    key: str
    label: str
    participants: int
    person_days: int


@dataclass
class Reach:
    participants: int = 0
    person_days: int = 0
    sessions: int = 0
    breakdowns: dict[str, list[Row]] = field(default_factory=dict)
    women: int = 0
    youth: int = 0

    @staticmethod
    def _share(part: int, whole: int) -> Decimal | None:
        if not whole:
            return None
        return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def women_share(self) -> Decimal | None:
        return self._share(self.women, self.participants)

    @property
    def youth_share(self) -> Decimal | None:
        return self._share(self.youth, self.participants)

    @property
    def women_below(self) -> bool:
        return self.women_share is not None and self.women_share < MINIMUM_SHARE

    @property
    def youth_below(self) -> bool:
        return self.youth_share is not None and self.youth_share < MINIMUM_SHARE


def reach_sessions(*, actor: Actor, start: date | None = None, end: date | None = None,
                   topic_id: int | None = None) -> QuerySet[TrainingSession]:
    """The sessions the actor sees, filtered by period (first day within it) and topic; cancelled ones excluded."""
    sessions = session_list(actor=actor).exclude(status="cancelled")
    if start:
        sessions = sessions.filter(start_date__gte=start)
    if end:
        sessions = sessions.filter(start_date__lte=end)
    if topic_id:
        sessions = sessions.filter(topic_id=topic_id)
    return sessions


def reach(*, sessions: QuerySet[TrainingSession]) -> Reach:
    """Totals and breakdowns for the given sessions: 2 + len(BREAKDOWNS) queries."""
    ids = sessions.order_by().values("pk")
    registrations = Registration.objects.filter(session__in=ids).order_by()
    attended = Count("attendance", filter=Q(attendance__status__in=ATTENDED))
    totals = registrations.aggregate(
        participants=Count("participant", distinct=True), person_days=attended,
        sessions=Count("session", distinct=True),
        women=Count("participant", distinct=True, filter=Q(participant__sex=Sex.FEMALE)),
        youth=Count("participant", distinct=True, filter=Q(participant__age_band__in=list(YOUTH_BANDS))))
    result = Reach(participants=totals["participants"] or 0, person_days=totals["person_days"] or 0,
                   sessions=totals["sessions"] or 0, women=totals["women"] or 0, youth=totals["youth"] or 0)
    for key, (path, labels) in BREAKDOWNS.items():
        rows = (registrations.values(path)
                .annotate(participants=Count("participant", distinct=True), person_days=attended)
                .order_by("-participants", path))
        if key == "organisation":
            rows = rows[:ORGANISATION_ROWS]
        built = []
        for row in rows:
            value = row[path]
            label = (labels.get(value, value) if labels else value) if value else "—"
            built.append(Row(key=value or "", label=str(label), participants=row["participants"],
                             person_days=row["person_days"]))
        if labels:  # fixed categories in their natural order
            order = list(labels)
            built.sort(key=lambda r: order.index(r.key) if r.key in order else len(order))
        result.breakdowns[key] = built
    return result


def reach_table(data: Reach) -> list[tuple[str, str, int, int]]:
    """The aggregated export: one line per breakdown category, then the totals."""
    names = {"sex": "sex", "age_band": "age band", "zone": "zone", "region": "region",
             "organisation": "organisation"}
    rows = [(names[key], row.label, row.participants, row.person_days)
            for key, built in data.breakdowns.items() for row in built]
    rows.append(("total", "", data.participants, data.person_days))
    return rows


def participant_rows(*, sessions: QuerySet[TrainingSession]) -> list[tuple[Any, ...]]:
    """The individual list, one query: a protected session gives the participant's code, never the name."""
    ids = sessions.order_by().values("pk")
    registrations = (Registration.objects.filter(session__in=ids)
                     .select_related("session", "participant__organisation")
                     .annotate(days=Count("attendance", filter=Q(attendance__status__in=ATTENDED)))
                     .order_by("session__start_date", "session_id", "participant__name_folded", "id"))
    sexes, bands = dict(Sex.choices), dict(AgeBand.choices)
    rows = []
    for r in registrations:
        person = r.participant
        name = person.code if r.session.protected else person.full_name
        rows.append((r.session.title, r.session.start_date.isoformat(), name, person.code,
                     person.organisation.acronym or person.organisation.name,
                     str(sexes.get(person.sex, person.sex)), str(bands.get(person.age_band, person.age_band)),
                     r.days))
    return rows
