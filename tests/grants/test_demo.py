"""seed_demo for grants: every application state, reviews from both reviewers, idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from grants.models import Application, ApplicationStatus, Call, CallStatus, Review


@pytest.mark.django_db
def test_seed_demo_is_complete_and_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet-accounts")
    counts = (Call.objects.count(), Application.objects.count(), Review.objects.count())
    call_command("seed_demo", "--quiet-accounts")
    assert (Call.objects.count(), Application.objects.count(), Review.objects.count()) == counts
    for slug in ("peace-direct", "wanep-mali"):
        statuses = set(Application.objects.filter(tenant__slug=slug).values_list("status", flat=True))
        assert statuses == set(ApplicationStatus.values)
        assert set(Call.objects.filter(tenant__slug=slug).values_list("status", flat=True)) == {
            CallStatus.OPEN, CallStatus.DECIDED}
        reviewers = set(Review.objects.filter(tenant__slug=slug).values_list("reviewer__email", flat=True))
        assert reviewers == {f"reviewer@{slug}.demo", f"reviewer2@{slug}.demo"}
        assert not Application.objects.filter(tenant__slug=slug).exclude(call__tenant__slug=slug).exists()
