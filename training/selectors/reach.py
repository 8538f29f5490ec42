"""Reach of the training programme: participants and person-days by sex, age band, region, zone and
organisation, computed in SQL with GROUP BY (one query per breakdown, whatever the number of sessions);
learning (pre/post-test, gain, satisfaction) and certificates from one more GROUP BY.

A participant counts once per breakdown even when trained in several sessions; a person-day is one
day marked present or late. Learning and certificates count registrations (a participant in one
session): tests and certificates belong to a session, so someone trained twice is scored twice.

The programme's figures as first opened (every session, no filter) are stored per workspace
(`ReachSnapshot`, training.services.reach.programme_figures): `reach_data` writes them as keys and
integers, `reach_from_data` reads them back with their labels in the reader's language, and
`organisations_mark` tells whether the registry names they carry changed since. Every training service
that writes what `reach` reads calls training.services.reach.reach_changed in its transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, astuple, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import Organisation, Region, Zone
from relais.actor import Actor
from relais.demographics import YOUTH_BANDS, AgeBand, Sex

from ..learning import LearningSummary, mean_of
from ..models import Attendance, AttendanceStatus, Certificate, Participant, Registration, TrainingSession
from .sessions import session_list

MINIMUM_SHARE = Decimal("30")  # % of women and of youth the programme commits to
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
# A person-day: a mark present or late on one of the session's days (from Registration). Marks left outside
# the days when a session was shortened are kept, so extending it again brings them back, but do not count.
PERSON_DAY = Q(attendance__status__in=ATTENDED, attendance__day__gte=F("session__start_date"),
               attendance__day__lte=F("session__end_date"))
ORGANISATION_ROWS = 20
SESSIONS_PER_PAGE = 25
YOUTH_LABEL = gettext_lazy("Youth (15–35)")
OTHER_AGES_LABEL = gettext_lazy("Other ages")

# breakdown key -> (ORM path, labels or None for free text)
BREAKDOWNS: dict[str, tuple[str, Any]] = {
    "sex": ("participant__sex", dict(Sex.choices)),
    "age_band": ("participant__age_band", dict(AgeBand.choices)),
    "zone": ("participant__organisation__region__zone", dict(Zone.choices)),
    "region": ("participant__organisation__region__name", None),
    "organisation": ("participant__organisation__name", None),
}
ORGANISATION_FIELDS = [path.removeprefix("participant__") for path, _labels in BREAKDOWNS.values()
                       if path.startswith("participant__organisation__")]


def share(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal (half up); None when there is nobody to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def below_minimum(part: int, whole: int) -> bool:
    """Below the 30 % commitment, in integers: 599 of 2000 (29.95 %) is below though its share shows 30.0."""
    return whole > 0 and part * 100 < int(MINIMUM_SHARE) * whole


@dataclass(frozen=True)
class LearningTotals:
    """Sums and counts of a group of registrations, as one GROUP BY row gives them: they add up, so the
    totals, the split by sex and the split by age come from the same rows; averages use learning.mean_of."""

    registrations: int = 0
    pre_sum: int = 0
    pre_count: int = 0
    post_sum: int = 0
    post_count: int = 0
    gain_sum: int = 0
    scored: int = 0  # registrations with both tests
    satisfaction_sum: int = 0
    evaluations: int = 0
    certificates: int = 0

    def __add__(self, other: LearningTotals) -> LearningTotals:
        return LearningTotals(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    @property
    def summary(self) -> LearningSummary:
        return LearningSummary(
            pre=mean_of(self.pre_sum, self.pre_count), post=mean_of(self.post_sum, self.post_count),
            gain=self.gain, satisfaction=mean_of(self.satisfaction_sum, self.evaluations), scored=self.scored,
            evaluations=self.evaluations)

    @property
    def gain(self) -> Decimal | None:
        return mean_of(self.gain_sum, self.scored)

    @property
    def certificate_share(self) -> Decimal | None:
        return share(self.certificates, self.registrations)


@dataclass(frozen=True)
class LearningRow:
    key: str
    label: str
    totals: LearningTotals


@dataclass
class Learning:
    total: LearningTotals = field(default_factory=LearningTotals)
    by_sex: list[LearningRow] = field(default_factory=list)
    by_youth: list[LearningRow] = field(default_factory=list)  # youth (15–35), then the other ages
    by_age_band: list[LearningRow] = field(default_factory=list)  # for the export

    @property
    def groups(self) -> list[list[LearningRow]]:
        """The page's table: by sex, then youth and the other ages."""
        return [self.by_sex, self.by_youth]


def _both_tests() -> Q:
    return Q(pre_score__isnull=False, post_score__isnull=False)


def _learning_sums() -> dict[str, Any]:
    both = _both_tests()
    return {
        "registrations": Count("id"),
        "pre_sum": Sum("pre_score"), "pre_count": Count("pre_score"),
        "post_sum": Sum("post_score"), "post_count": Count("post_score"),
        "gain_sum": Sum(F("post_score") - F("pre_score"), filter=both, output_field=IntegerField()),
        "scored": Count("id", filter=both),
        "satisfaction_sum": Sum("satisfaction"), "evaluations": Count("satisfaction"),
        "certificates": Count("certificate"),  # one-to-one: the join multiplies nothing
    }


def _totals(row: Mapping[str, Any]) -> LearningTotals:
    return LearningTotals(**{name: row[name] or 0 for name in LearningTotals.__dataclass_fields__})


def learning(*, registrations: QuerySet[Registration]) -> Learning:
    """Learning and certificates of the registrations, by sex and by age: one GROUP BY (sex, age band) query."""
    groups = registrations.order_by().values("participant__sex", "participant__age_band").annotate(**_learning_sums())
    by_sex: dict[str, LearningTotals] = {}
    by_band: dict[str, LearningTotals] = {}
    by_youth = {True: LearningTotals(), False: LearningTotals()}
    total = LearningTotals()
    for row in groups:
        totals = _totals(row)
        sex, band = row["participant__sex"], row["participant__age_band"]
        total += totals
        by_sex[sex] = by_sex.get(sex, LearningTotals()) + totals
        by_band[band] = by_band.get(band, LearningTotals()) + totals
        by_youth[band in YOUTH_BANDS] += totals
    return Learning(
        total=total,
        by_sex=[LearningRow(key, learning_label("by_sex", key), by_sex[key]) for key in Sex.values if key in by_sex],
        by_youth=[LearningRow("youth", learning_label("by_youth", "youth"), by_youth[True]),
                  LearningRow("other", learning_label("by_youth", "other"), by_youth[False])]
        if total.registrations else [],
        by_age_band=[LearningRow(key, learning_label("by_age_band", key), by_band[key])
                     for key in AgeBand.values if key in by_band])


def learning_label(group: str, key: str) -> str:
    """The label of a row of the learning table (by_sex, by_youth, by_age_band), in the active language."""
    if group == "by_youth":
        return str(YOUTH_LABEL if key == "youth" else OTHER_AGES_LABEL)
    labels = dict(Sex.choices if group == "by_sex" else AgeBand.choices)
    return str(labels.get(key, key))


@dataclass
class Row:
    key: str
    label: str
    participants: int
    person_days: int


class InclusionShares:
    """Women's and youth's shares of the participants, flagged under the 30 % minimum (compared in
    integers: 29.95 % is under, whatever the rounded share shows). For the dataclasses below."""

    participants: int
    women: int
    youth: int

    @property
    def women_share(self) -> Decimal | None:
        return share(self.women, self.participants)

    @property
    def youth_share(self) -> Decimal | None:
        return share(self.youth, self.participants)

    @property
    def women_below(self) -> bool:
        return below_minimum(self.women, self.participants)

    @property
    def youth_below(self) -> bool:
        return below_minimum(self.youth, self.participants)


@dataclass
class Reach(InclusionShares):
    participants: int = 0
    person_days: int = 0
    sessions: int = 0
    breakdowns: dict[str, list[Row]] = field(default_factory=dict)
    women: int = 0
    youth: int = 0
    learning: Learning = field(default_factory=Learning)


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
    """Totals, breakdowns, learning and certificates for the given sessions: four queries.

    Sex, age band and organisation (hence region and zone) belong to the participant, so each participant
    falls in exactly one (sex, age band, organisation, region, zone) group: the distinct participants and the
    person-days of those groups add up to every breakdown and to the totals. Two GROUP BY (the participants,
    the attended marks) give them all, instead of one COUNT(DISTINCT) over every registration-day per breakdown
    (six passes over 26,000 rows on a large workspace: most of its page)."""
    ids = sessions.order_by().values("pk")
    registrations = Registration.objects.filter(session__in=ids).order_by()
    # Each participant once (a semi-join, no COUNT(DISTINCT) sorting every registration-day), by the group;
    # the person-days from the attended marks alone, by the same group (through the organisation's id).
    people = (Participant.objects.filter(pk__in=registrations.values("participant_id")).order_by()
              .values("sex", "age_band", "organisation_id", *ORGANISATION_FIELDS).annotate(participants=Count("id")))
    days = {(row["registration__participant__sex"], row["registration__participant__age_band"],
             row["registration__participant__organisation_id"]): row["person_days"]
            for row in Attendance.objects.filter(
                registration__session__in=ids, status__in=ATTENDED,
                day__gte=F("registration__session__start_date"), day__lte=F("registration__session__end_date"))
            .order_by().values("registration__participant__sex", "registration__participant__age_band",
                               "registration__participant__organisation_id").annotate(person_days=Count("id"))}
    sums: dict[str, dict[Any, list[int]]] = {key: {} for key in BREAKDOWNS}
    result = Reach(sessions=registrations.aggregate(sessions=Count("session", distinct=True))["sessions"] or 0)
    for row in people:
        participants = row["participants"]
        person_days = days.get((row["sex"], row["age_band"], row["organisation_id"]), 0)
        group = {"participant__" + name: value for name, value in row.items()}
        result.participants += participants
        result.person_days += person_days
        if row["sex"] == Sex.FEMALE:
            result.women += participants
        if row["age_band"] in YOUTH_BANDS:
            result.youth += participants
        for key, (path, _labels) in BREAKDOWNS.items():
            cell = sums[key].setdefault(group[path], [0, 0])
            cell[0] += participants
            cell[1] += person_days
    for key, (_path, labels) in BREAKDOWNS.items():
        # most participants first, then by value, an empty one last (as PostgreSQL orders NULLs)
        ordered = sorted(sums[key].items(), key=lambda item: (-item[1][0], item[0] is None, item[0] or ""))
        if key == "organisation":
            ordered = ordered[:ORGANISATION_ROWS]
        built = [Row(key=value or "", label=breakdown_label(key, value), participants=participants,
                     person_days=person_days) for value, (participants, person_days) in ordered]
        if labels:  # fixed categories in their natural order
            order = list(labels)
            built.sort(key=lambda r: order.index(r.key) if r.key in order else len(order))
        result.breakdowns[key] = built
    result.learning = learning(registrations=registrations)
    return result


def breakdown_label(key: str, value: str | None) -> str:
    """The label of a breakdown row, in the active language: a category's name (sex, age band, zone), the
    region's or organisation's own name, "—" for none."""
    if not value:
        return "—"
    labels = BREAKDOWNS[key][1]
    return str(labels.get(value, value)) if labels else value


# --- The programme's figures, stored -------------------------------------------------------------------
# A change of this shape, of the labels' rules or of what `reach` counts bumps the format: figures stored by
# older code are computed again at their next view instead of being served until the next training write.
DATA_FORMAT = 1
LEARNING_GROUPS = ("by_sex", "by_youth", "by_age_band")


def reach_data(figures: Reach) -> dict[str, Any]:
    """The figures as JSON: keys and integers only. The labels of categories are translated when read back
    (`reach_from_data`), in the reader's language; free-text labels (regions, organisations) are their keys.
    The breakdowns are a list of pairs: PostgreSQL's jsonb keeps no key order."""
    learning = figures.learning
    return {
        "format": DATA_FORMAT,
        "participants": figures.participants, "person_days": figures.person_days, "sessions": figures.sessions,
        "women": figures.women, "youth": figures.youth,
        "breakdowns": [[key, [[row.key, row.participants, row.person_days] for row in rows]]
                       for key, rows in figures.breakdowns.items()],
        "learning": {"total": asdict(learning.total),
                     **{group: [[row.key, asdict(row.totals)] for row in getattr(learning, group)]
                        for group in LEARNING_GROUPS}},
    }


def reach_from_data(data: Any) -> Reach | None:
    """The figures `reach_data` wrote, labelled in the active language; None when they are in another format
    (computed again then)."""
    if not isinstance(data, dict) or data.get("format") != DATA_FORMAT:
        return None
    try:
        learning = data["learning"]
        return Reach(
            participants=data["participants"], person_days=data["person_days"], sessions=data["sessions"],
            women=data["women"], youth=data["youth"],
            breakdowns={key: [Row(key=value, label=breakdown_label(key, value), participants=participants,
                                  person_days=person_days) for value, participants, person_days in rows]
                        for key, rows in data["breakdowns"]},
            learning=Learning(total=LearningTotals(**learning["total"]), **{
                group: [LearningRow(key, learning_label(group, key), LearningTotals(**totals))
                        for key, totals in learning[group]] for group in LEARNING_GROUPS}))
    except (KeyError, TypeError, ValueError):
        return None


def organisations_mark(*, tenant_id: int) -> str:
    """What the breakdowns read from the registry, summed up: it changes when an organisation or a region of
    the workspace does. The organisations' count, sum of versions (organisation_write and the admin bump one, so
    two saves committed in either order both move it) and latest change (any other save), read from one index;
    the regions themselves (a few rows, no change date), whose names and zones are shown."""
    organisations = Organisation.objects.filter(tenant_id=tenant_id).order_by().aggregate(
        count=Count("id"), versions=Sum("version"), latest=Max("updated_at"))
    latest = organisations["latest"]
    regions = list(Region.objects.filter(tenant_id=tenant_id).order_by("pk").values_list("pk", "name", "zone"))
    text = json.dumps([organisations["count"], organisations["versions"], latest.isoformat() if latest else None,
                       regions], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _learning_cells(totals: LearningTotals | None) -> tuple[Any, ...]:
    if totals is None:
        return ("",) * 8
    summary = totals.summary
    return tuple("" if v is None else v for v in (
        totals.scored, summary.pre, summary.post, summary.gain, summary.satisfaction, totals.evaluations,
        totals.certificates, totals.certificate_share))


def reach_table(data: Reach) -> list[tuple[Any, ...]]:
    """The aggregated export: one line per breakdown category, then youth and other ages, then the totals.
    Learning and certificate columns are filled where they are split (sex, age band, youth, total).
    The breakdown names are translated here, at export time, in the language of the request."""
    names = {"sex": _("Sex"), "age_band": _("Age band"), "zone": _("Zone"), "region": _("Region"),
             "organisation": _("Organisation")}
    split = {"sex": {r.key: r.totals for r in data.learning.by_sex},
             "age_band": {r.key: r.totals for r in data.learning.by_age_band}}
    rows = [(names[key], row.label, row.participants, row.person_days,
             *_learning_cells(split.get(key, {}).get(row.key)))
            for key, built in data.breakdowns.items() for row in built]
    youth = {r.key: r for r in data.learning.by_youth}
    if youth:
        youth_name = _("Youth")
        rows.append((youth_name, youth["youth"].label, data.youth, "", *_learning_cells(youth["youth"].totals)))
        rows.append((youth_name, youth["other"].label, data.participants - data.youth, "",
                     *_learning_cells(youth["other"].totals)))
    rows.append((_("Total"), "", data.participants, data.person_days, *_learning_cells(data.learning.total)))
    return rows


@dataclass(frozen=True)
class SessionFigures(InclusionShares):
    """One line of the per-session table of the programme page."""

    pk: int
    title: str
    start_date: date
    end_date: date
    participants: int = 0
    women: int = 0
    youth: int = 0
    gain: Decimal | None = None
    scored: int = 0
    certificates: int = 0


def session_rows(*, sessions: QuerySet[TrainingSession]) -> QuerySet[Any]:
    """The sessions of the table, latest first, as plain values: paginate this, then call session_figures."""
    return (sessions.prefetch_related(None).order_by("-start_date", "-id")
            .values("pk", "title", "start_date", "end_date"))


def session_figures(rows: Sequence[dict[str, Any]]) -> list[SessionFigures]:
    """Participants, women, youth, mean gain and certificates of the sessions of one page: one GROUP BY query
    with the same sums as the programme's learning figures."""
    found = {row["session"]: row for row in Registration.objects.filter(session__in=[r["pk"] for r in rows])
             .order_by().values("session").annotate(
                 women=Count("id", filter=Q(participant__sex=Sex.FEMALE)),
                 youth=Count("id", filter=Q(participant__age_band__in=list(YOUTH_BANDS))),
                 **_learning_sums())} if rows else {}
    built = []
    for row in rows:
        figures = found.get(row["pk"])
        counts: dict[str, Any] = {}
        if figures is not None:
            totals = _totals(figures)
            counts = {"participants": totals.registrations, "women": figures["women"], "youth": figures["youth"],
                      "gain": totals.gain, "scored": totals.scored, "certificates": totals.certificates}
        built.append(SessionFigures(pk=row["pk"], title=row["title"], start_date=row["start_date"],
                                    end_date=row["end_date"], **counts))
    return built


def participant_rows(*, sessions: QuerySet[TrainingSession]) -> list[tuple[Any, ...]]:
    """The individual list, one query: a protected session gives the participant's code, never the name.
    Each line carries the person-days, the pre-test, post-test and gain of that session and its certificate."""
    ids = sessions.order_by().values("pk")
    registrations = (Registration.objects.filter(session__in=ids)
                     .select_related("session", "participant__organisation")
                     .annotate(days=Count("attendance", filter=PERSON_DAY),
                               certified=Exists(Certificate.objects.filter(registration=OuterRef("pk"))))
                     .order_by("session__start_date", "session_id", "participant__name_folded", "id"))
    sexes, bands = dict(Sex.choices), dict(AgeBand.choices)
    yes, no = _("yes"), _("no")
    rows = []
    for r in registrations:
        person = r.participant
        name = person.code if r.session.protected else person.full_name
        rows.append((r.session.title, r.session.start_date.isoformat(), name, person.code,
                     person.organisation.acronym or person.organisation.name,
                     str(sexes.get(person.sex, person.sex)), str(bands.get(person.age_band, person.age_band)),
                     r.days, *("" if v is None else v for v in (r.pre_score, r.post_score, r.gain)),
                     yes if r.certified else no))
    return rows
