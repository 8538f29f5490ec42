"""Conflict of interest for staff: nobody handles the records of a CSO they belong to.

A programme manager (or any staff member) who is linked to a CSO can do nothing on that CSO's
application (screen, request changes, assign reviewers, decide) and, later, nothing on its
award, agreement or payments: another staff member must. `conflict_of_interest(actor,
organisation_id)` is the one decision every such record asks (docs/architecture.md).

A user is linked to a CSO, in the actor's tenant, when:
- their membership names it (`Membership.organisation`: always for an applicant; the admin
  can set it for a staff member too), or
- a feature app says so through `register_interest`: orgs (the user's e-mail is the e-mail of
  one of the CSO's contact people) and grants (the user wrote one of the CSO's applications,
  e.g. a former applicant member made a manager).

The kernel never imports those apps: they register a reader from their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import gettext as _

from .actor import Actor
from .models import Role
from .permissions import ALLOW, Decision, deny

InterestReader = Callable[..., Iterable[Any]]  # fn(*, actor) -> ids of the CSOs the actor's user is linked to

_READERS: list[InterestReader] = []


def register_interest(reader: InterestReader) -> None:
    if reader not in _READERS:  # ready() may run twice in tests
        _READERS.append(reader)


def linked_organisation_ids(actor: Actor) -> frozenset[int]:
    """Every CSO of the actor's tenant its user is linked to; read once per actor (one per request)."""
    if actor.is_system:
        return frozenset()
    cached = actor.memo.get("linked_organisation_ids")
    if cached is None:
        ids = {actor.organisation_id} if actor.organisation_id is not None else set()
        for reader in _READERS:
            ids.update(reader(actor=actor))
        cached = actor.memo["linked_organisation_ids"] = frozenset(ids)
    return cached


def conflict_of_interest(actor: Actor, organisation_id: int | None) -> Decision:
    """ALLOW unless a staff member acts on a record of a CSO they are linked to.

    Applicants act for their own CSO by design and the system has no interest; both are allowed.
    """
    if organisation_id is None or actor.is_system or actor.role in ("", Role.APPLICANT):
        return ALLOW
    if organisation_id in linked_organisation_ids(actor):
        return deny(_("Conflict of interest: you are linked to this organisation (member or contact person). "
                      "Another manager must handle its application, award, agreement and payments."))
    return ALLOW
