"""Who an e-mail goes to, and the outbox's state table.

Feature apps compute the recipients of their e-mails; the kernel stores one row per recipient
(`relais.services.outbox.email_enqueue`) and sends it from a task (`relais.tasks.send_outbound_email`).

- `Recipient` is one address with the name and language to write to it in.
- `organisation_recipients(tenant=…, organisation_id=…)`: a CSO's active members and, through
  the providers the registry app registers (`register_organisation_contacts`), its contact
  people who agreed to receive e-mails; de-duplicated by address. The kernel knows the
  registry's organisations only by id.
- `warn_if_nobody_reached(request, recipients)`: the message a manager sees on the spot when a
  decision reaches nobody.
- `OUTBOUND_EMAIL`: queued → sent | failed by the system (the task), sent | failed → queued by a
  manager (resend). Every step is audited by the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .actor import SYSTEM
from .models import EmailStatus, Membership, OutboundEmail, Role, Tenant, User
from .workflow import StateMachine, Transition, register

if TYPE_CHECKING:  # pragma: no cover - typing only
    from django.http import HttpRequest


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""
    language: str = ""  # empty: the workspace's language
    user_id: int | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @classmethod
    def of_user(cls, user: User) -> Recipient:
        return cls(email=user.email, name=user.full_name, language=user.language, user_id=user.pk)


def unique_recipients(recipients: Iterable[Recipient]) -> list[Recipient]:
    """The first recipient of each address (case-insensitive), in order; blank addresses dropped."""
    seen: set[str] = set()
    result = []
    for recipient in recipients:
        key = (recipient.email or "").strip().lower()
        if key and key not in seen:
            seen.add(key)
            result.append(recipient)
    return result


# fn(*, tenant, organisation_id) -> the organisation's contact people who accepted e-mails.
ContactsProvider = Callable[..., Iterable[Recipient]]
_CONTACTS: list[ContactsProvider] = []


def register_organisation_contacts(provider: ContactsProvider) -> None:
    if provider not in _CONTACTS:  # ready() may run twice in tests
        _CONTACTS.append(provider)


def organisation_members(*, tenant: Tenant, organisation_id: int) -> list[Recipient]:
    memberships = (Membership.objects.filter(tenant=tenant, organisation_id=organisation_id, role=Role.APPLICANT,
                                             is_active=True, user__is_active=True)
                   .select_related("user").order_by("user__email"))
    return [Recipient.of_user(m.user) for m in memberships]


def organisation_recipients(*, tenant: Tenant, organisation_id: int) -> list[Recipient]:
    """Who hears of a decision about a CSO: its active members, then its contacts who accepted e-mails."""
    recipients = organisation_members(tenant=tenant, organisation_id=organisation_id)
    for provider in _CONTACTS:
        recipients.extend(provider(tenant=tenant, organisation_id=organisation_id))
    return unique_recipients(recipients)


def role_recipients(*, tenant: Tenant, role: str) -> list[Recipient]:
    """The workspace's active members who hold ``role``, once each, by address."""
    memberships = (Membership.objects.filter(tenant=tenant, role=role, is_active=True, user__is_active=True)
                   .select_related("user").order_by("user__email"))
    return unique_recipients(Recipient.of_user(m.user) for m in memberships)


def manager_recipients(*, tenant: Tenant) -> list[Recipient]:
    return role_recipients(tenant=tenant, role=Role.MANAGER)


NOBODY_REACHED = _("Nobody could be told: the organisation has neither a member nor a contact who accepted e-mails.")


def warn_if_nobody_reached(request: HttpRequest, *, tenant: Tenant, organisation_id: int, about: str = "") -> bool:
    """After a decision about a CSO: warn the manager at once when nobody can receive it (`about`, e.g. a
    reference, starts the message when several decisions were taken at once). True if warned."""
    if organisation_recipients(tenant=tenant, organisation_id=organisation_id):
        return False
    text = gettext(str(NOBODY_REACHED))
    messages.warning(request, gettext("%(about)s: %(message)s") % {"about": about, "message": text} if about else text)
    return True


# --- bodies that carry a secret are rebuilt when sent ------------------------------------------

# kind -> fn(email) -> (subject, body); it raises relais.services.outbox.Undeliverable with the reason
# the e-mail must not leave (an invitation cancelled meanwhile).
LiveRenderer = Callable[[OutboundEmail], tuple[str, str]]
_LIVE: dict[str, LiveRenderer] = {}


def register_live_renderer(kind: str, renderer: LiveRenderer) -> None:
    _LIVE[kind] = renderer


def live_renderer(kind: str) -> LiveRenderer | None:
    return _LIVE.get(kind)


# --- the state table -----------------------------------------------------------------------------

E = EmailStatus
_SYSTEM = frozenset({SYSTEM})
_MANAGER = frozenset({Role.MANAGER})


OUTBOUND_EMAIL = register(StateMachine(
    name="outbound_email",
    model=OutboundEmail,
    states=EmailStatus,
    transitions=(
        Transition(E.QUEUED, E.SENT, _SYSTEM, "sent", _("Sent")),
        Transition(E.QUEUED, E.FAILED, _SYSTEM, "failed", _("Failed")),
        Transition(E.FAILED, E.QUEUED, _MANAGER, "resend", _("Resend")),
        Transition(E.SENT, E.QUEUED, _MANAGER, "resend", _("Resend")),
    ),
))
