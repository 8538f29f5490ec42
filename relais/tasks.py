"""Background work of the kernel: e-mails go through the task queue."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from relais.links import absolute_url
from relais.models import Invitation
from relais.validators import one_line


@task()
def send_invitation_email(*, invitation_id: int) -> None:
    """E-mail the invitation's link, rebuilt here: the link never sits in the task's stored arguments."""
    from relais.services.tenancy import invitation_link_token

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
        subject = one_line(render_to_string("relais/email/invitation_subject.txt", context))
        body = render_to_string("relais/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])
