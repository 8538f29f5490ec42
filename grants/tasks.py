"""Background work for grants: e-mails to applicants, closing calls at their deadline."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from relais.links import absolute_url
from relais.models import Role, User
from relais.validators import one_line

from .models import Application


def applicant_recipients(application: Application) -> list[User]:
    return list(User.objects.filter(
        memberships__tenant_id=application.tenant_id, memberships__organisation_id=application.organisation_id,
        memberships__role=Role.APPLICANT, memberships__is_active=True,
    ).distinct())


@task()
def send_application_email(*, application_id: int, kind: str, user_id: int | None = None) -> None:
    """kind: receipt, changes_requested, ineligible, approved, rejected. One mail per recipient, in their language."""
    application = Application.objects.select_related("call", "organisation", "tenant").get(pk=application_id)
    users = [User.objects.get(pk=user_id)] if user_id else applicant_recipients(application)
    url = absolute_url(reverse("grants:application_detail", kwargs={
        "tenant_slug": application.tenant.slug, "application_pk": application.pk}))
    for user in users:
        with translation.override(user.language or application.tenant.default_language):
            context = {"application": application, "kind": kind, "url": url, "user": user}
            subject = one_line(render_to_string("grants/email/application_subject.txt", context))
            body = render_to_string("grants/email/application_body.txt", context)
        send_mail(subject, body, None, [user.email])


@task()
def close_due_calls() -> int:
    from .services.calls import close_due_calls as close

    return close()
