"""E-mail tasks of the kernel: subjects stay on one line whatever the data holds."""

from __future__ import annotations

import pytest

from tests.factories import InvitationFactory
from tests.outbox import send_invitation_email

pytestmark = pytest.mark.django_db


def test_a_workspace_name_with_a_line_break_does_not_stop_the_invitation_email(world_a, mailoutbox):
    type(world_a.tenant).objects.filter(pk=world_a.tenant.pk).update(name="Bailleur A\r\nBcc: x@example.org")
    invitation = InvitationFactory(tenant=world_a.tenant, email="new@example.org")
    send_invitation_email(invitation)
    [mail] = mailoutbox
    assert "\n" not in mail.subject and mail.recipients() == ["new@example.org"]
