"""E-mail tasks of the registry: subjects stay on one line whatever the data holds."""

from __future__ import annotations

import pytest

from orgs.models import JoinRequest, Organisation
from orgs.services.emails import join_request_decision_email
from relais.actor import Actor
from relais.services.outbox import outbox_deliver
from tests.orgs.factories import JoinRequestFactory

pytestmark = pytest.mark.django_db


def test_a_line_break_saved_before_validation_does_not_stop_the_join_request_email(world_a, mailoutbox):
    """An acronym « REJ\\r\\nBcc: … » saved earlier made Django refuse the e-mail (BadHeaderError)."""
    Organisation.objects.filter(pk=world_a.organisation.pk).update(acronym="REJ\r\nBcc: victim@example.org")
    join_request = JoinRequestFactory(tenant=world_a.tenant, organisation=world_a.organisation, status="approved")
    join_request = JoinRequest.objects.select_related("organisation", "user").get(pk=join_request.pk)
    [row] = join_request_decision_email(join_request=join_request, actor=Actor.system(world_a.tenant))
    outbox_deliver(email_id=row.pk)
    [mail] = mailoutbox
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert "REJ Bcc: victim@example.org" in mail.subject
    assert mail.recipients() == [join_request.user.email]
