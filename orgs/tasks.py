"""Background work for orgs: e-mails go through the task queue."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from relais.validators import one_line

from .models import Invitation


def absolute_url(path: str) -> str:
    return settings.RELAIS_BASE_URL.rstrip("/") + path


@task()
def send_invitation_email(*, invitation_id: int) -> None:
    """E-mail the invitation's link, rebuilt here: the link never sits in the task's stored arguments."""
    from .services.tenancy import invitation_link_token

    invitation = Invitation.objects.select_related("tenant", "invited_by").get(pk=invitation_id)
    if not invitation.is_usable:  # cancelled, accepted or expired before the worker ran
        return
    token = invitation_link_token(invitation=invitation)
    with translation.override(invitation.tenant.default_language):
        context = {
            "invitation": invitation,
            "url": absolute_url(reverse("invitation_accept", kwargs={"token": token})),
            "role": invitation.get_role_display(),
        }
        subject = one_line(render_to_string("orgs/email/invitation_subject.txt", context))
        body = render_to_string("orgs/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])


@task()
def send_join_request_decision_email(*, join_request_id: int) -> None:
    from .models import JoinRequest

    join_request = JoinRequest.objects.select_related("tenant", "organisation", "user").get(pk=join_request_id)
    language = join_request.user.language or join_request.tenant.default_language
    with translation.override(language):
        context = {
            "join_request": join_request,
            "approved": join_request.status == "approved",
            "url": absolute_url(reverse("dashboard", kwargs={"tenant_slug": join_request.tenant.slug})),
        }
        subject = one_line(render_to_string("orgs/email/join_request_subject.txt", context))
        body = render_to_string("orgs/email/join_request_body.txt", context)
    send_mail(subject, body, None, [join_request.user.email])
