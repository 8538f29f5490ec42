"""What the CSO registry does when the kernel creates a workspace or a CSO's people change.

Registered with the kernel from OrgsConfig.ready(): the kernel never imports orgs.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from relais.actor import Actor
from relais.permissions import ALLOW, Decision, deny

from .models import Organisation


def set_up_workspace(*, actor: Actor) -> None:
    """A new workspace starts with the default due-diligence checklist."""
    from .services.documents import ensure_default_checklist

    ensure_default_checklist(actor=actor)


def members_changed(*, organisations: list[Any], actor: Actor) -> None:
    """Members' full names are screened names: a screening may no longer cover the CSO."""
    from .services.screening import screening_mark_stale_if_names_changed

    for organisation in organisations:
        screening_mark_stale_if_names_changed(organisation=organisation, actor=actor)



def consenting_contacts(*, tenant: Any, organisation_id: int) -> list[Any]:
    """The organisation's contact people who agreed to be contacted and to receive e-mails, with an address:
    they hear of decisions too, so a CSO without an account is told."""
    from relais.outbox import Recipient

    from .models import ContactPerson

    contacts = (ContactPerson.objects.filter(tenant=tenant, organisation_id=organisation_id, consent=True,
                                             email_consent=True).exclude(email="").order_by("name", "pk"))
    return [Recipient(email=contact.email, name=contact.name) for contact in contacts]


# --- relais.payability: whether money may go to a CSO -------------------------------

def due_diligence_check(*, actor: Actor, organisation: Organisation, today: date) -> Decision:
    from .selectors.due_diligence import due_diligence_status

    if organisation.tenant_id != actor.tenant.pk:
        return deny(_("This record belongs to another workspace."))
    return _due_diligence_decision(due_diligence_status(organisation, today=today))


def _due_diligence_decision(status: str) -> Decision:
    from .models import DueDiligenceStatus

    if status == DueDiligenceStatus.COMPLETE:
        return ALLOW
    if status == DueDiligenceStatus.EXPIRED:
        return deny(_("A required due-diligence document of the organisation has expired."))
    return deny(_("The organisation's due-diligence file is incomplete."))


def due_diligence_checks_many(*, actor: Actor, organisations: list[Organisation], today: date) -> dict[int, Decision]:
    """due_diligence_check for several organisations in one plain query (due_diligence_of_page: the SQL
    annotation's nested subqueries cost more to build and compile on every view of the finance page
    and the dashboard than the handful of rows they answer for; issue 10)."""
    from .selectors.due_diligence import due_diligence_of_page

    ours = [o.pk for o in organisations if o.tenant_id == actor.tenant.pk]
    return _due_diligence_answers(organisations, {
        pk: status for pk, (status, _pending) in due_diligence_of_page(ours, tenant_id=actor.tenant.pk,
                                                                        today=today).items()})


def _due_diligence_answers(organisations: list[Organisation], statuses: dict[int, str]) -> dict[int, Decision]:
    """Each organisation's decision from its status (an organisation without one is another workspace's), each
    status's decision made (and its reason translated) once, not once per CSO."""
    decisions = {status: _due_diligence_decision(status) for status in set(statuses.values())}
    return {o.pk: decisions[statuses[o.pk]] if o.pk in statuses
            else deny(_("This record belongs to another workspace.")) for o in organisations}


def registry_checks_many(*, names: list[str], actor: Actor, organisations: list[Organisation],
                         today: date) -> dict[str, dict[int, Decision]]:
    """due_diligence_checks_many and screening_checks_many (``names``: those asked) from one statement
    (registry_checks_of_page): the finance page and the dashboard ask both of the same CSOs (issue 10)."""
    import copy

    from relais.payability import DUE_DILIGENCE, SCREENING

    from .selectors.due_diligence import registry_checks_of_page
    from .services.screening import clearances_of_screened

    rows = [copy.copy(o) for o in organisations if o.tenant_id == actor.tenant.pk]  # the screenings are set on them
    statuses = registry_checks_of_page(rows, tenant=actor.tenant, today=today)
    answers: dict[str, dict[int, Decision]] = {}
    if DUE_DILIGENCE in names:
        answers[DUE_DILIGENCE] = _due_diligence_answers(
            organisations, {pk: status for pk, (status, _pending) in statuses.items()})
    if SCREENING in names:
        answers[SCREENING] = clearances_of_screened(rows, actor=actor, organisations=organisations)
    return answers


def screening_check(*, actor: Actor, organisation: Organisation, today: date) -> Decision:
    from .services.screening import screening_clearance

    return screening_clearance(actor=actor, organisation=organisation)


def screening_checks_many(*, actor: Actor, organisations: list[Organisation], today: date) -> dict[int, Decision]:
    from .services.screening import screening_clearances

    return screening_clearances(actor=actor, organisations=organisations)


def payment_details_check(*, actor: Actor, organisation: Organisation, today: date) -> Decision:
    from .services.organisations import payment_details_usable

    return payment_details_usable(actor=actor, organisation=organisation)
