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


@pytest.mark.django_db
def test_the_pipeline_counts_the_reviews_still_to_do_per_call(world_a, world_b):
    from grants.models import ReviewStatus
    from grants.selectors import pipeline
    from tests.grants.factories import ApplicationFactory, CallFactory, ReviewFactory

    first, second = CallFactory(tenant=world_a.tenant), CallFactory(tenant=world_a.tenant)
    app = ApplicationFactory(tenant=world_a.tenant, call=first, status=ApplicationStatus.IN_REVIEW)
    for status in (ReviewStatus.ASSIGNED, ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, ReviewStatus.RECUSED):
        ReviewFactory(tenant=world_a.tenant, application=app, status=status)
    ReviewFactory(tenant=world_b.tenant, application__tenant=world_b.tenant, status=ReviewStatus.ASSIGNED)
    rows = {row["call"].pk: row["outstanding"] for row in pipeline(actor=world_a.actor(Role.MANAGER))}
    assert rows[first.pk] == 2 and rows[second.pk] == 0
