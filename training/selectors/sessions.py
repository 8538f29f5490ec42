"""Readers for training sessions. Role visibility lives in one queryset; access_* reuse it, so a
hidden session and a missing one both give 404."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple, cast

from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models import ForeignKey, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from unidecode import unidecode

from orgs.models import Commune, Organisation, Region
from relais.actor import Actor
from relais.ids import pk_like
from relais.models import Membership, Role
from relais.pagination import LookaheadPage, page_of
from relais.sql import RowReader, fetch_rows, split_row, table, written_once

from ..models import Attendance, Participant, Registration, SessionMaterial, Topic, TrainingSession

SEARCH_LIMIT = 20


def fold(text: str) -> str:
    """Accent-free, lower-case, single-spaced: “Aïssata  Traoré” and “aissata traore” match."""
    return " ".join(unidecode(text or "").lower().split())


def _visibility(actor: Actor) -> tuple[str, list[Any]] | None:
    """Which sessions a role sees, once for session_list (ORM filters) and access_session (SQL conditions):
    ("", []) every session of the tenant, ("trainer", [membership]) those it trains, ("invited", [organisation])
    those its CSO is invited to; None: no session."""
    if actor.is_manager or actor.is_system:
        return "", []
    if actor.has_role(Role.TRAINER) and actor.membership is not None:
        return "trainer", [actor.membership.pk]
    if actor.has_role(Role.APPLICANT) and actor.organisation_id is not None:
        return "invited", [actor.organisation_id]
    return None


def session_list(*, actor: Actor) -> QuerySet[TrainingSession]:
    """Managers see every session, trainers their own, applicants those their CSO is invited to;
    reviewers and finance none."""
    sessions = TrainingSession.objects.filter(tenant=actor.tenant).select_related("topic", "region", "commune")
    # The trainers are few and every permission asks for them; the invited organisations can be a hundred
    # or more: each page that needs them asks (invited_names, or a subquery), not every session page.
    sessions = sessions.prefetch_related(Prefetch("trainers", queryset=Membership.objects.select_related("user")))
    seen = _visibility(actor)
    if seen is None:
        return sessions.none()
    seen_as, extra = seen
    if seen_as == "trainer":
        return sessions.filter(trainers=extra[0])
    if seen_as == "invited":
        return sessions.filter(invited_organisations=extra[0])
    return sessions


# The columns the session list's cards show (a session row also carries descriptions, capacity, settings...).
SESSION_ROW_FIELDS = ("id", "tenant_id", "title", "status", "protected", "start_date", "end_date", "remote", "venue",
                      "topic__name", "region__name")


def session_rows(*, actor: Actor) -> QuerySet[TrainingSession]:
    """The session list: session_list's visibility and the columns the cards show; not the invited organisations,
    which only the session page names (dozens per session: hundreds of rows a page). Names the page's trainers
    with trainer_names."""
    return (session_list(actor=actor).select_related(None).select_related("topic", "region")
            .prefetch_related(None).only(*SESSION_ROW_FIELDS))


@written_once
def _invited_sql(connection: Any) -> str:
    through = TrainingSession.invited_organisations.through
    return (f"SELECT o.acronym, o.name FROM {table(through)} si INNER JOIN {table(Organisation)} o "
            f"ON o.id = si.organisation_id WHERE si.trainingsession_id = %s ORDER BY o.name, o.id")


def invited_names(session: TrainingSession) -> str:
    """The session's invited organisations as the session page names them (acronym, else name), in name
    order: one hand-written statement, no model instance for each of a big session's hundred CSOs and no
    queryset to compile on every view (issue 10)."""
    return ", ".join(acronym or name for acronym, name in fetch_rows(_invited_sql(connection), [session.pk]))


def trainer_names(sessions: Iterable[TrainingSession]) -> dict[int, list[str]]:
    """The trainers of the page's sessions by session id, as the cards name them (full name, else e-mail): one
    values query on the through table instead of a prefetch building a membership and a user per trainer."""
    through = TrainingSession.trainers.through
    names: dict[int, list[str]] = {}
    for session_id, full_name, email in (
            through.objects.filter(trainingsession__in=[s.pk for s in sessions])
            .order_by("trainingsession_id", "membership_id")
            .values_list("trainingsession_id", "membership__user__full_name", "membership__user__email")):
        names.setdefault(session_id, []).append(full_name or email)
    return names


_SESSION = RowReader(TrainingSession, "s")
_TOPIC = RowReader(Topic, "tp")
_REGION = RowReader(Region, "r")
_COMMUNE = RowReader(Commune, "c")
_TRAINER = RowReader(Membership, "m")
_TRAINER_USER = RowReader(get_user_model(), "u")


@written_once
def _session_sql(connection: Any, seen_as: str) -> str:
    """One session of the tenant by id with its topic, region and commune, under _visibility's rule
    (``seen_as``)."""
    trainers, invited = TrainingSession.trainers.through, TrainingSession.invited_organisations.through
    condition = {
        "": "",
        "trainer": f" AND EXISTS (SELECT 1 FROM {table(trainers)} st WHERE st.trainingsession_id = s.id "
                   f"AND st.membership_id = %s)",
        "invited": f" AND EXISTS (SELECT 1 FROM {table(invited)} si WHERE si.trainingsession_id = s.id "
                   f"AND si.organisation_id = %s)",
    }[seen_as]
    return (
        f"SELECT {_SESSION.columns(connection)}, {_TOPIC.columns(connection)}, {_REGION.columns(connection)}, "
        f"{_COMMUNE.columns(connection)} FROM {table(TrainingSession)} s "
        f"INNER JOIN {table(Topic)} tp ON tp.id = s.topic_id LEFT OUTER JOIN {table(Region)} r ON r.id = s.region_id "
        f"LEFT OUTER JOIN {table(Commune)} c ON c.id = s.commune_id "
        f"WHERE s.tenant_id = %s AND s.id = %s{condition}")


@written_once
def _trainers_sql(connection: Any) -> str:
    through = TrainingSession.trainers.through
    return (
        f"SELECT {_TRAINER.columns(connection)}, {_TRAINER_USER.columns(connection)} FROM {table(through)} st "
        f"INNER JOIN {table(Membership)} m ON m.id = st.membership_id INNER JOIN {table(get_user_model())} u "
        f"ON u.id = m.user_id WHERE st.trainingsession_id = %s ORDER BY st.id")


def access_session(*, actor: Actor, pk: int) -> TrainingSession:
    """The session the actor may see (session_list's rule), with its topic, region, commune and trainers as
    session_list loads them; 404 when hidden or missing. Two hand-written statements: building and compiling
    the queryset and its prefetch cost ~3 ms of every session page, ten times their database time (issue 10).
    tests/training/test_session_page_reads.py compares it with session_list, role by role."""
    seen = _visibility(actor)
    if seen is None or not pk_like(pk):  # an id no database column holds (2**63, 23 digits) is not found either
        raise Http404
    key = int(str(pk))
    seen_as, extra = seen
    connection = connections[TrainingSession.objects.db]
    with connection.cursor() as cursor:
        cursor.execute(_session_sql(connection, seen_as), [actor.tenant.pk, key, *extra])
        row = cursor.fetchone()
        if row is None:
            raise Http404
        cursor.execute(_trainers_sql(connection), [key])
        trainer_rows = cursor.fetchall()
    values, topic, region, commune = split_row(row, (_SESSION, _TOPIC, _REGION, _COMMUNE))
    session = _SESSION.instance(connection, values)
    related = (("topic", _TOPIC, topic), ("region", _REGION, region), ("commune", _COMMUNE, commune))
    for name, reader, part in related:
        field = cast("ForeignKey[Any, Any]", TrainingSession._meta.get_field(name))
        field.set_cached_value(session, reader.instance(connection, part) if part[0] is not None else None)
    members = []
    for trainer_row in trainer_rows:
        membership_values, user_values = split_row(trainer_row, (_TRAINER, _TRAINER_USER))
        membership = _TRAINER.instance(connection, membership_values)
        cast("ForeignKey[Any, Any]", Membership._meta.get_field("user")).set_cached_value(
            membership, _TRAINER_USER.instance(connection, user_values))
        members.append(membership)
    # What prefetch_related leaves on the instance: session.trainers.all() reads these, no query.
    trainers = cast(Any, session.trainers.all())
    trainers._result_cache, trainers._prefetch_done = members, True
    cast(Any, session)._prefetched_objects_cache = {"trainers": trainers}
    return session


def access_material(*, session: TrainingSession, pk: int) -> SessionMaterial:
    """A material of a session the actor already reached through access_session."""
    return get_object_or_404(SessionMaterial.objects.filter(tenant=session.tenant_id, session=session), pk=pk)


def topic_list(*, actor: Actor, active_only: bool = True, keep: int | None = None) -> QuerySet[Topic]:
    """The workspace's topics; active_only leaves the retired ones out, except `keep` (the topic of the
    session being edited: retiring a topic must not make its sessions uneditable)."""
    topics = Topic.objects.filter(tenant=actor.tenant)
    if not active_only:
        return topics
    return topics.filter(Q(active=True) | Q(pk=keep)) if keep is not None else topics.filter(active=True)


def trainer_choices(*, actor: Actor) -> QuerySet[Membership]:
    return Membership.objects.filter(tenant=actor.tenant, role=Role.TRAINER, is_active=True).select_related("user")


def organisation_choices(*, actor: Actor) -> QuerySet[Organisation]:
    """The workspace's CSOs a session can invite: named by acronym or name in the form, never listed
    whole (2,000 on a large workspace)."""
    return Organisation.objects.filter(tenant=actor.tenant).only("id", "name", "acronym").order_by("name")


def award_choices(*, actor: Actor) -> QuerySet[Any]:
    from grants.models import Award

    return Award.objects.filter(tenant=actor.tenant)


def call_choices(*, actor: Actor) -> QuerySet[Any]:
    from grants.models import Call

    return Call.objects.filter(tenant=actor.tenant)


def region_choices(*, actor: Actor) -> QuerySet[Region]:
    return Region.objects.filter(tenant=actor.tenant)


def commune_choices(*, actor: Actor) -> QuerySet[Commune]:
    return Commune.objects.filter(tenant=actor.tenant)


def registrations_of(*, session: TrainingSession, actor: Actor) -> QuerySet[Registration]:
    """The session's registrations with their participant and organisation; an applicant sees only
    its own organisation's people."""
    rows = Registration.objects.filter(tenant=session.tenant_id, session=session).select_related(
        "participant", "participant__organisation").order_by("participant__name_folded", "id")
    if actor.has_role(Role.APPLICANT):
        rows = rows.filter(participant__organisation_id=actor.organisation_id or 0)
    return rows


PARTICIPANT_ROW = ("participant__code", "participant__full_name", "participant__organisation__acronym",
                   "participant__organisation__name")


def session_participants(*, session: TrainingSession, actor: Actor, query: str = "") -> QuerySet[Any]:
    """The participants list of the session page: its registrations (as registrations_of sees them) as rows of
    the columns the list shows (PARTICIPANT_ROW), in name order; with a query, those whose name contains it
    (accents and case ignored, like participant_search). Paginate this: 300 people are not one page."""
    rows = registrations_of(session=session, actor=actor)
    folded = fold(query)
    if folded:
        rows = rows.filter(participant__name_folded__contains=folded)
    return rows.values_list(*PARTICIPANT_ROW, named=True)


class ParticipantRow(NamedTuple):
    """A row of the session page's participants list (the columns of PARTICIPANT_ROW)."""

    participant__code: str
    participant__full_name: str
    participant__organisation__acronym: str
    participant__organisation__name: str


@written_once
def _participants_sql(connection: Any, one_organisation: bool) -> str:
    return (
        f"SELECT p.code, p.full_name, o.acronym, o.name, COUNT(*) OVER () FROM {table(Registration)} r "
        f"INNER JOIN {table(Participant)} p ON p.id = r.participant_id "
        f"INNER JOIN {table(Organisation)} o ON o.id = p.organisation_id "
        f"WHERE r.tenant_id = %s AND r.session_id = %s{' AND p.organisation_id = %s' if one_organisation else ''} "
        f"ORDER BY p.name_folded, r.id LIMIT %s OFFSET %s")


class SessionParticipantRows:
    """session_participants without a query, as page_of slices it: each slice one hand-written statement (LIMIT,
    OFFSET) in its order, and ``count``, the registrations registrations_of counts, riding on each row
    (COUNT(*) OVER ()): the page as first opened, which every trainer sees (issue 10)."""

    def __init__(self, *, session: TrainingSession, actor: Actor) -> None:
        applicant = actor.has_role(Role.APPLICANT)
        self.statement = _participants_sql(connection, applicant)
        self.params: list[Any] = [session.tenant_id, session.pk,
                                  *([actor.organisation_id or 0] if applicant else [])]
        self.count = 0

    def __getitem__(self, window: slice) -> list[ParticipantRow]:
        start, stop = window.start or 0, window.stop
        if window.step is not None or stop is None or start < 0 or stop < start:
            raise ValueError("A window of participants is a bounded slice.")
        rows = fetch_rows(self.statement, [*self.params, stop - start, start])
        self.count = rows[0][4] if rows else 0
        return [ParticipantRow(*row[:4]) for row in rows]


def participants_page(*, session: TrainingSession, actor: Actor, raw_number: object,
                      per_page: int) -> tuple[LookaheadPage, int]:
    """One page of session_participants without a query (page_of over SessionParticipantRows), and the number
    of registrations registrations_of counts, read by the same statement. A search goes through
    session_participants."""
    rows = SessionParticipantRows(session=session, actor=actor)
    page = page_of(rows, raw_number, per_page)
    return page, rows.count


def participant_search(*, session: TrainingSession, actor: Actor, query: str) -> list[Participant]:
    """People already known in the invited organisations whose name contains the query (accents and
    case ignored), not yet registered: reuse them rather than typing a duplicate."""
    folded = fold(query)
    if len(folded) < 2:
        return []
    people = Participant.objects.filter(tenant=actor.tenant, name_folded__contains=folded,
                                        organisation__in=session.invited_organisations.all())
    if actor.has_role(Role.APPLICANT):
        people = people.filter(organisation_id=actor.organisation_id or 0)
    people = people.exclude(registrations__session=session).select_related("organisation")
    return list(people[:SEARCH_LIMIT])


@dataclass(frozen=True)
class GridRow:
    registration: Registration
    label: str
    cells: list[tuple[int, date, str]]  # (day index, day, status or "")


def attendance_grid(*, session: TrainingSession, actor: Actor) -> list[GridRow]:
    """One row per registration, one cell per day: two queries whatever the size."""
    registrations = list(registrations_of(session=session, actor=actor))
    marks: dict[tuple[int, date], str] = {}
    for reg_id, day, status in Attendance.objects.filter(
            tenant=session.tenant_id, registration__session=session).values_list("registration_id", "day", "status"):
        marks[(reg_id, day)] = status
    days = session.days
    # On the trainer's own screen a protected session shows the code first (what the printed sheet
    # carries) and the name beside it, so the trainer can tell people apart; exports show the code only.
    return [GridRow(reg, f"{reg.participant.code} · {reg.participant.full_name}" if session.protected
                    else reg.participant.full_name,
                    [(i, d, marks.get((reg.pk, d), "")) for i, d in enumerate(days)])
            for reg in registrations]


def participant_label(participant: Participant, *, protected: bool) -> str:
    """What exports and printed sheets show: the code in a protected session, otherwise the name."""
    return participant.code if protected else participant.full_name


def session_summary(session: TrainingSession) -> dict[str, Any]:
    return {"days": session.days}
