"""Readers of the kernel: workspaces, memberships, invitations and the audit trail.

Tenant readers take the actor and filter by its tenant (and by what its role may see),
so "does not exist" and "not yours" are the same 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.db.models.functions import Length
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from unidecode import unidecode

from . import sql
from .actor import Actor
from .models import AuditEvent, EmailStatus, Invitation, Membership, OutboundEmail, Tenant, User
from .sql import RowReader, fetch_one, split_row, table, written_once


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    """The workspaces a user may enter (the picker)."""
    return (
        Membership.objects.filter(user=user, is_active=True, tenant__is_active=True)
        .select_related("tenant", "organisation")
        .order_by("tenant__name")
    )


_MEMBER = RowReader(Membership, "m")
_TENANT = RowReader(Tenant, "t")
_ORGANISATION = RowReader(Membership._meta.get_field("organisation").related_model, "o")  # no feature import
_READERS = (_MEMBER, _TENANT, _ORGANISATION)
@written_once
def _workspace_sql(connection: Any) -> str:
    membership, tenant, organisation = table(Membership), table(Tenant), table(_ORGANISATION.model)
    return (
        f"SELECT {_MEMBER.columns(connection)}, {_TENANT.columns(connection)}, "
        f"{_ORGANISATION.columns(connection)}, "
        f"(SELECT COUNT(*) FROM {membership} m2 INNER JOIN {tenant} t2 ON m2.tenant_id = t2.id "
        f"WHERE m2.user_id = m.user_id AND m2.is_active AND t2.is_active) "
        f"FROM {membership} m INNER JOIN {tenant} t ON m.tenant_id = t.id "
        f"LEFT OUTER JOIN {organisation} o ON m.organisation_id = o.id "
        f"WHERE t.slug = %s AND t.is_active AND m.user_id = %s AND m.is_active ORDER BY m.id LIMIT 1"
    )


def workspace_membership(*, user_id: Any, slug: str) -> tuple[Membership, int] | None:
    """The signed-in person's active membership of the active workspace ``slug``, with its tenant and
    organisation, and the number of their active workspaces (the navigation's switch link); None
    when they may not enter it. Every workspace page runs it: one hand-written statement
    (relais.sql.RowReader), what ``Membership.objects.select_related("tenant", "organisation")`` with a
    counting subquery built and compiled in several times its database time (issue 10)."""
    row = fetch_one(_workspace_sql(connection), [slug, user_id])
    if row is None:
        return None
    member_values, tenant_values, organisation_values = split_row(row, _READERS)
    membership = _MEMBER.instance(connection, member_values)
    tenant = _TENANT.instance(connection, tenant_values)
    organisation = _ORGANISATION.instance(connection, organisation_values) if membership.organisation_id else None
    Membership._meta.get_field("tenant").set_cached_value(membership, tenant)
    Membership._meta.get_field("organisation").set_cached_value(membership, organisation)
    return membership, row[-1]  # the workspace count, after the three readers' columns


def is_member(*, user: User, tenant: Tenant) -> bool:
    return Membership.objects.filter(tenant=tenant, user=user, is_active=True).exists()


MEMBER_ROW_FIELDS = ("id", "tenant_id", "user_id", "role", "organisation_id", "is_active", "created_at",
                     "user__email", "user__full_name", "organisation__name", "organisation__acronym")


def membership_list(*, actor: Actor, search: str = "") -> QuerySet[Membership]:
    """Every membership of the actor's tenant, active first: the managers' page (others: none).

    ``search`` keeps the people whose name or e-mail contains it (users have no folded column:
    case-insensitive only)."""
    memberships = Membership.objects.filter(tenant=actor.tenant).select_related("user", "organisation")
    if not actor.is_manager:
        memberships = memberships.none()
    search = search.strip()
    if search:
        memberships = memberships.filter(Q(user__full_name__icontains=search) | Q(user__email__icontains=search))
    return memberships.order_by("-is_active", "role", "user__email", "id")


def access_membership(*, actor: Actor, pk: Any) -> Membership:
    return get_object_or_404(membership_list(actor=actor).select_related("tenant"), pk=pk)


def invitation_list(*, actor: Actor) -> QuerySet[Invitation]:
    """Invitations still open (not accepted, not cancelled), for the managers."""
    invitations = Invitation.objects.filter(tenant=actor.tenant, accepted_at__isnull=True, revoked_at__isnull=True)
    if not actor.is_manager:
        invitations = invitations.none()
    return invitations.select_related("invited_by", "organisation")


def access_invitation(*, actor: Actor, pk: Any) -> Invitation:
    invitations = Invitation.objects.filter(tenant=actor.tenant).select_related("tenant")
    if not actor.is_manager:
        invitations = invitations.none()
    return get_object_or_404(invitations, pk=pk)


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation a link points to, whoever follows it (the link is the credential)."""
    return Invitation.objects.select_related("tenant").filter(token_hash=Invitation.hash(token)).first()


def organisation_choices(*, actor: Actor) -> QuerySet:
    """The tenant's CSOs an applicant membership may be tied to. The kernel knows the registry
    only through Membership's foreign key, never by importing it."""
    model = Membership._meta.get_field("organisation").related_model
    return model._default_manager.filter(tenant=actor.tenant).order_by("name")


LABEL_SEPARATOR = " — "  # how an organisation is written in a form: "ACRONYM — Legal name"


def organisation_label(organisation: Any) -> str:
    return str(organisation)  # the registry's __str__: "ACRONYM — Legal name", or the name alone


def _folded(text: str) -> str:
    """Accent- and case-free, single-spaced, the label's dash a space: “FSP — Ségou” → “fsp segou”."""
    return " ".join(unidecode(text.replace(LABEL_SEPARATOR.strip(), " ")).lower().split())


FOLDED_CANDIDATES = 100  # a text whose words appear in more registry rows than this is not a name


def _folded_exact_ids(organisations: QuerySet, text: str) -> list[Any]:
    """The organisations whose acronym, legal name or label equals the text once accents and case are
    folded (“femmes de segou” names “Femmes de Ségou”): the registry's folded ``search_name`` narrows
    the rows in SQL, the comparison is made here (neither SQLite nor a bare PostgreSQL folds accents)."""
    folded = _folded(text)
    if not folded or not any(f.name == "search_name" for f in organisations.model._meta.get_fields()):
        return []
    candidates = organisations
    for word in folded.split():
        candidates = candidates.filter(search_name__contains=word)
    rows = candidates.order_by(Length("search_name"), "pk").values_list("pk", "acronym", "name")
    return [pk for pk, acronym, name in rows[:FOLDED_CANDIDATES]
            if folded in (_folded(acronym or ""), _folded(name or ""), _folded(f"{acronym or ''} {name or ''}"))]


def organisation_exact_matches(organisations: QuerySet, text: str) -> QuerySet:
    """The organisations a typed text names exactly: its acronym, its legal name or its label
    (case-insensitive, and accent-insensitive through the registry's folded ``search_name``).
    A manager must end up on one row, never on the first of several."""
    text = " ".join(text.split())
    named = Q(acronym__iexact=text) | Q(name__iexact=text)
    acronym, separator, name = text.partition(LABEL_SEPARATOR.strip())
    if separator and acronym.strip() and name.strip():
        named |= Q(acronym__iexact=acronym.strip(), name__iexact=name.strip())
    folded = _folded_exact_ids(organisations, text)
    if folded:
        named |= Q(pk__in=folded)
    return organisations.filter(named)


def organisation_suggestions(organisations: QuerySet, text: str, limit: int = 10) -> list[Any]:
    """A few organisations whose name, acronym or region contains the text: through the registry's
    accent-folded ``search_name`` when it has one ("segou" finds "Ségou"), else case-insensitively."""
    words = " ".join(text.replace(LABEL_SEPARATOR.strip(), " ").split())
    if not words:
        return []
    if any(f.name == "search_name" for f in organisations.model._meta.get_fields()):
        folded = unidecode(words).lower()
        matches = organisations
        for word in folded.split():
            matches = matches.filter(search_name__contains=word)
    else:
        matches = organisations.filter(Q(name__icontains=words) | Q(acronym__icontains=words))
    return list(matches.order_by("name", "id")[:limit])


def audit_list(
    *, actor: Actor, target_type: str | None = None, target_id: Any = None
) -> QuerySet[AuditEvent]:
    """The tenant's audit trail, newest first."""
    events = AuditEvent.objects.filter(tenant=actor.tenant).select_related("actor")
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id is not None:
        events = events.filter(target_id=str(target_id))
    return events


MAX_ACTORS_SEARCHED = 50
# What the audit log's sentences and its export read of an event and its actor (a name): not the
# actor's password hash and account columns, 50 times a page (issue 10).
AUDIT_ROW_FIELDS = ("tenant", "actor", "action", "target_type", "target_id", "before", "after", "created_at",
                    "actor__full_name", "actor__email")


def audit_search(
    *, actor: Actor, who: str = "", action: str = "", target_type: str = "", target: str = "",
    date_from: date | None = None, date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit log's filters: who acted (name or e-mail text), the action, the object (an id or a
    reference its app lets us search), and the days (in the workspace's time zone), newest first.

    Each filter matches an index of AuditEvent (tenant first, then actor, action or object, then
    date), so a page costs the same on 1,000 or 200,000 events."""
    from relais.audit_describe import target_ids_for

    events = audit_list(actor=actor, target_type=target_type or None).only(*AUDIT_ROW_FIELDS)
    who = who.strip()
    if who:
        # The people first, as a short list of ids: with a subquery PostgreSQL walked the tenant's
        # whole trail newest first looking for a rare actor (390 ms on 200,000 events); with the ids
        # it reads the (tenant, actor, date) index (under 1 ms). Members of this workspace only, past
        # or present: the search never tells whether someone elsewhere exists.
        people = list(User.objects.filter(Q(full_name__icontains=who) | Q(email__icontains=who),
                                          memberships__tenant=actor.tenant)
                      .values_list("pk", flat=True).distinct()[:MAX_ACTORS_SEARCHED])
        events = events.filter(actor_id__in=people)
    if action:
        events = events.filter(action=action)
    if target_type and target.strip():
        events = events.filter(target_id__in=target_ids_for(tenant=actor.tenant, target_type=target_type,
                                                            text=target))
    if date_from:
        events = events.filter(created_at__gte=timezone.make_aware(datetime.combine(date_from, time.min)))
    if date_to:
        events = events.filter(created_at__lt=timezone.make_aware(datetime.combine(date_to + timedelta(days=1),
                                                                                   time.min)))
    return events


class ActorName(NamedTuple):
    """Who acted, as a page of events read as values names them (``User.display_name``)."""

    display_name: str


@dataclass(frozen=True, slots=True)
class EventRow:
    """An audit event read as values (``audit_recent``): the attributes of ``AuditEvent``
    that its sentence, its line and its export read, and its actor's name, without a model instance
    for the event and its actor (issue 10)."""

    pk: int
    actor_id: int | None
    actor: ActorName | None
    action: str
    target_type: str
    target_id: str
    before: Any
    after: Any
    created_at: datetime


_RECENT_EVENT_FIELDS = ("id", "actor", "action", "target_type", "target_id", "before", "after", "created_at")
_RECENT_EVENTS_SQL = """
SELECT "e"."id", "e"."actor_id", "e"."action", "e"."target_type", "e"."target_id", "e"."before", "e"."after",
"e"."created_at", "u"."full_name", "u"."email"
FROM {events} "e" LEFT OUTER JOIN {users} "u" ON "u"."id" = "e"."actor_id"
WHERE "e"."tenant_id" = %s ORDER BY "e"."created_at" DESC, "e"."id" DESC LIMIT %s OFFSET %s"""


class RecentEvents:
    """The workspace's whole trail newest first, a window at a time (``page_of`` slices it), as
    ``EventRow`` values read with one hand-written statement: the audit log as first opened, unfiltered.

    Built with the ORM (``audit_search`` without filters), the same page cost a query built and compiled on
    every view and a model instance for each event and its actor (issue 10); the statement reads the
    columns ``AUDIT_ROW_FIELDS`` names, in the model's order, through the ORM's converters (JSON, and
    dates on SQLite). Filters are composed by the person: ``audit_search`` reads those."""

    def __init__(self, *, actor: Actor) -> None:
        self.tenant_pk = actor.tenant.pk

    def __getitem__(self, window: slice) -> list[EventRow]:
        start = window.start or 0
        if window.step is not None or window.stop is None or window.stop <= start:
            raise ValueError("A window of the trail is a slice [start:stop].")
        statement = _RECENT_EVENTS_SQL.format(events=sql.table(AuditEvent), users=sql.table(User))
        if connection.alias not in _RECENT_CONVERTERS:
            _RECENT_CONVERTERS[connection.alias] = sql.converters_of(
                connection, [(AuditEvent._meta.get_field(name), "e") for name in _RECENT_EVENT_FIELDS])  # type: ignore[misc]
        converters = _RECENT_CONVERTERS[connection.alias]
        rows = []
        for values in sql.fetch_rows(statement, [self.tenant_pk, window.stop - start, start]):
            pk, actor_id, action, target_type, target_id, before, after, created_at = sql.convert(
                connection, values[:8], converters)
            full_name, email = values[8], values[9]
            rows.append(EventRow(pk=pk, actor_id=actor_id,
                                 actor=ActorName(full_name or email) if actor_id is not None else None,
                                 action=action, target_type=target_type, target_id=target_id,
                                 before=before, after=after, created_at=created_at))
        return rows


_RECENT_CONVERTERS: dict[str, list[tuple[int, list[sql.Converter], Any]]] = {}


def audit_recent(*, actor: Actor) -> RecentEvents:
    """The audit log unfiltered: what ``audit_search(actor=actor)`` reads, as values (``RecentEvents``)."""
    return RecentEvents(actor=actor)


def audit_timeline(*, actor: Actor, target: Model) -> QuerySet[AuditEvent]:
    """Events about one object the actor already reached through an access function, oldest first."""
    if getattr(target, "tenant_id", actor.tenant.pk) != actor.tenant.pk:
        raise Http404
    return audit_list(actor=actor, target_type=target._meta.label_lower, target_id=target.pk).order_by(
        "created_at", "id"
    )


def outbox_list(*, actor: Actor, status: str = "", query: str = "") -> QuerySet[OutboundEmail]:
    """The workspace's e-mails, newest first, for its managers (others: none); by status and recipient."""
    emails = OutboundEmail.objects.filter(tenant=actor.tenant)
    if not actor.is_manager:
        emails = emails.none()
    if status in EmailStatus.values:
        emails = emails.filter(status=status)
    query = (query or "").strip()
    if query:
        emails = emails.filter(recipient__icontains=query)
    return emails.defer("body").order_by("-created_at", "-id")


def access_outbound_email(*, actor: Actor, pk: Any) -> OutboundEmail:
    return get_object_or_404(outbox_list(actor=actor), pk=pk)


def emails_about(*, actor: Actor, target: Model) -> QuerySet[OutboundEmail]:
    """E-mails about one object the actor already reached through an access function, oldest first."""
    if getattr(target, "tenant_id", actor.tenant.pk) != actor.tenant.pk:
        raise Http404
    return OutboundEmail.objects.filter(
        tenant=actor.tenant, target_type=target._meta.label_lower, target_id=str(target.pk)
    ).defer("body").order_by("created_at", "id")


def workspace_for_settings(*, actor: Actor) -> Tenant:
    """A fresh copy of the actor's tenant for the settings form (the request's copy stays as it was)."""
    return Tenant.objects.get(pk=actor.tenant.pk)


def user_for_profile(*, user: User) -> User:
    """A fresh copy of the signed-in user for the profile form."""
    return User.objects.get(pk=user.pk)


def open_workspace(*, slug: str) -> Tenant:
    """An active tenant by its slug, for pages outside the tenant prefix (joining): 404 otherwise."""
    return get_object_or_404(Tenant, slug=slug, is_active=True)


def self_registration_tenants() -> QuerySet[Tenant]:
    return Tenant.objects.filter(is_active=True, applicants_may_self_register=True).order_by("name")
