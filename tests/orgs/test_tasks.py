"""E-mail tasks of the registry: subjects stay on one line whatever the data holds."""

from __future__ import annotations

import pytest

from orgs.models import Organisation
from orgs.tasks import send_join_request_decision_email
from tests.orgs.factories import JoinRequestFactory

pytestmark = pytest.mark.django_db


def test_a_line_break_saved_before_validation_does_not_stop_the_join_request_email(world_a, mailoutbox):
    """An acronym « REJ\\r\\nBcc: … » saved earlier made Django refuse the e-mail (BadHeaderError)."""
    Organisation.objects.filter(pk=world_a.organisation.pk).update(acronym="REJ\r\nBcc: victim@example.org")
    join_request = JoinRequestFactory(tenant=world_a.tenant, organisation=world_a.organisation, status="approved")
    send_join_request_decision_email.call(join_request_id=join_request.pk)
    [mail] = mailoutbox
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert "REJ Bcc: victim@example.org" in mail.subject
    assert mail.recipients() == [join_request.user.email]
