"""grants.dashboard: what grants registers with the kernel (audit labels, panels, navigation)."""

from __future__ import annotations

import pytest

from grants.models import ApplicationStatus
from relais.models import Role
from tests.grants.conftest import complete_application

S = ApplicationStatus


@pytest.mark.django_db
def test_application_timeline_and_audit_log_name_grants_actions(world_a):
    app = complete_application(world_a, status=S.SUBMITTED)
    from grants.services.applications import application_transition

    application_transition(application=app, target=S.SCREENING, actor=world_a.actor(Role.MANAGER))
    client = world_a.client_for(Role.MANAGER)
    detail = client.get(world_a.url(f"applications/{app.pk}/")).content.decode()
    audit = client.get(world_a.url("audit/")).content.decode()
    events = audit[audit.index('<ol class="audit">'):]  # the action filter's option values are codes
    assert "application.screening_start" not in detail and "application.screening_start" not in events
    assert f"a commencé la vérification de la demande <a href=\"/{world_a.tenant.slug}/applications/{app.pk}/\">" \
        in events
    assert "Commencer la vérification" in detail or "Start screening" in detail
