"""E-mails of the registry, through the kernel's outbox: who hears of what.

- A document rejected: the organisation's members and its contact people who accepted e-mails.
- A join request decided: the person who asked (it is about them; their name goes to nobody else).
- A screening gone stale: the workspace's managers.
Called inside the service's transaction: the rows exist (and leave) only if the step commits.
"""

from __future__ import annotations

from django.urls import reverse

from orgs.models import JoinRequest, JoinRequestStatus, OrganisationDocument, Screening
from relais.actor import Actor
from relais.links import absolute_url
from relais.models import OutboundEmail
from relais.outbox import Recipient, manager_recipients, organisation_recipients
from relais.services.outbox import email_enqueue


def _due_diligence_path(tenant_slug: str, organisation_id: int) -> str:
    return reverse("orgs:due_diligence", kwargs={"tenant_slug": tenant_slug, "organisation_pk": organisation_id})


def document_rejected_email(*, document: OrganisationDocument, actor: Actor) -> list[OutboundEmail]:
    """Tell the organisation what to fix; people on 2G rarely open the app unprompted."""
    tenant = actor.tenant
    path = _due_diligence_path(tenant.slug, document.organisation_id)
    return email_enqueue(
        actor=actor, kind="document_rejected", target=document,
        recipients=organisation_recipients(tenant=tenant, organisation_id=document.organisation_id),
        template="orgs/email/document_rejected", link=path,
        context={"document": document, "item": document.item.display_name, "url": absolute_url(path)},
    )


def join_request_decision_email(*, join_request: JoinRequest, actor: Actor) -> list[OutboundEmail]:
    tenant = actor.tenant
    return email_enqueue(
        actor=actor, kind="join_request_decision", target=join_request,
        recipients=[Recipient.of_user(join_request.user)], template="orgs/email/join_request",
        link=reverse("orgs:join_requests", kwargs={"tenant_slug": tenant.slug}),
        context={"join_request": join_request, "approved": join_request.status == JoinRequestStatus.APPROVED,
                 "url": absolute_url(reverse("relais:dashboard", kwargs={"tenant_slug": tenant.slug}))},
    )


def screening_stale_email(*, screening: Screening, actor: Actor) -> list[OutboundEmail]:
    """Tell the managers that a cleared screening no longer covers the organisation's names. Which names
    changed is not said: people's names stay out of e-mails."""
    tenant = actor.tenant
    path = _due_diligence_path(tenant.slug, screening.organisation_id)
    return email_enqueue(
        actor=actor, kind="screening_stale", target=screening, recipients=manager_recipients(tenant=tenant),
        template="orgs/email/screening_stale", link=path + "#screening",
        context={"screening": screening, "organisation": screening.organisation.short_name,
                 "url": absolute_url(path) + "#screening"},
    )
