"""Background work for orgs: e-mails go through the task queue."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from orgs.models import OrganisationDocument
from relais.links import absolute_url
from relais.models import Membership, Role
from relais.validators import one_line


@task()
def send_join_request_decision_email(*, join_request_id: int) -> None:
    from orgs.models import JoinRequest

    join_request = JoinRequest.objects.select_related("tenant", "organisation", "user").get(pk=join_request_id)
    language = join_request.user.language or join_request.tenant.default_language
    with translation.override(language):
        context = {
            "join_request": join_request,
            "approved": join_request.status == "approved",
            "url": absolute_url(reverse("relais:dashboard", kwargs={"tenant_slug": join_request.tenant.slug})),
        }
        subject = one_line(render_to_string("orgs/email/join_request_subject.txt", context))
        body = render_to_string("orgs/email/join_request_body.txt", context)
    send_mail(subject, body, None, [join_request.user.email])


@task()
def send_document_rejected_email(*, document_id: int) -> None:
    """Tell the organisation's members what to fix; users on 2G rarely open the app unprompted."""
    document = OrganisationDocument.objects.select_related("tenant", "organisation", "item").get(pk=document_id)
    recipients = list(
        Membership.objects.filter(
            tenant=document.tenant, organisation=document.organisation, role=Role.APPLICANT, is_active=True
        ).values_list("user__email", flat=True)
    )
    if not recipients:
        return
    path = reverse("orgs:due_diligence", kwargs={"tenant_slug": document.tenant.slug,
                                            "organisation_pk": document.organisation_id})
    with translation.override(document.tenant.default_language):
        context = {"document": document, "item": document.item.display_name, "url": absolute_url(path)}
        subject = one_line(render_to_string("orgs/email/document_rejected_subject.txt", context))
        body = render_to_string("orgs/email/document_rejected_body.txt", context)
    send_mail(subject, body, None, recipients)


@task()
def send_screening_stale_email(*, screening_id: int) -> None:
    """Tell the tenant's managers that a cleared screening no longer covers the organisation's
    names. Which names changed is not said: people's names stay out of e-mails."""
    from orgs.models import Screening

    screening = Screening.objects.select_related("tenant", "organisation").get(pk=screening_id)
    recipients = list(
        Membership.objects.filter(tenant=screening.tenant, role=Role.MANAGER, is_active=True)
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return
    path = reverse("orgs:due_diligence", kwargs={"tenant_slug": screening.tenant.slug,
                                            "organisation_pk": screening.organisation_id})
    with translation.override(screening.tenant.default_language):
        context = {"screening": screening, "organisation": screening.organisation.short_name,
                   "url": absolute_url(path) + "#screening"}
        subject = render_to_string("orgs/email/screening_stale_subject.txt", context).strip()
        body = render_to_string("orgs/email/screening_stale_body.txt", context)
    send_mail(subject, body, None, recipients)
