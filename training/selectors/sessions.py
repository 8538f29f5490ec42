"""Readers for training sessions. Role visibility lives in one queryset; access_* reuse it, so a
hidden session and a missing one both give 404."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from unidecode import unidecode

from orgs.models import Commune, Organisation, Region
from relais.actor import Actor
from relais.models import Membership, Role

from ..models import Attendance, Participant, Registration, SessionMaterial, Topic, TrainingSession

SEARCH_LIMIT = 20


def fold(text: str) -> str:
    """Accent-free, lower-case, single-spaced: “Aïssata  Traoré” and “aissata traore” match."""
    return " ".join(unidecode(text or "").lower().split())


def session_list(*, actor: Actor) -> QuerySet[TrainingSession]:
    """Managers see every session, trainers their own, applicants those their CSO is invited to;
    reviewers and finance none."""
    sessions = TrainingSession.objects.filter(tenant=actor.tenant).select_related("topic", "region", "commune")
    # The trainers are few and every permission asks for them; the invited organisations can be a hundred
    # or more: each page that needs them asks (invited_names, or a subquery), not every session page.
    sessions = sessions.prefetch_related(Prefetch("trainers", queryset=Membership.objects.select_related("user")))
    if actor.is_manager or actor.is_system:
        return sessions
    if actor.has_role(Role.TRAINER) and actor.membership is not None:
        return sessions.filter(trainers=actor.membership)
    if actor.has_role(Role.APPLICANT) and actor.organisation_id is not None:
        return sessions.filter(invited_organisations=actor.organisation_id)
    return sessions.none()


# The columns the session list's cards show (a session row also carries descriptions, capacity, settings...).
SESSION_ROW_FIELDS = ("id", "tenant_id", "title", "status", "protected", "start_date", "end_date", "remote", "venue",
                      "topic__name", "region__name")


def session_rows(*, actor: Actor) -> QuerySet[TrainingSession]:
    """The session list: session_list's visibility and the columns the cards show; not the invited organisations,
    which only the session page names (dozens per session: hundreds of rows a page). Names the page's trainers
    with trainer_names."""
    return (session_list(actor=actor).select_related(None).select_related("topic", "region")
            .prefetch_related(None).only(*SESSION_ROW_FIELDS))


def invited_names(session: TrainingSession) -> str:
    """The session's invited organisations as the session page names them (acronym, else name), from
    one values query: no model instance for each of a big session's hundred CSOs (issue 10)."""
    return ", ".join(acronym or name for acronym, name in
                     session.invited_organisations.order_by("name", "pk").values_list("acronym", "name"))


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


def access_session(*, actor: Actor, pk: int) -> TrainingSession:
    return get_object_or_404(session_list(actor=actor), pk=pk)


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
