"""The demo gives every CSO documents in several states and one screening."""

from __future__ import annotations

import pytest
from django.utils import timezone

from orgs import demo
from orgs.models import Organisation, OrganisationDocument, ReviewStatus, Screening, ScreeningDecision
from orgs.selectors.due_diligence import annotate_due_diligence, organisations_to_screen_again
from relais.actor import Actor


@pytest.mark.django_db
def test_demo_seeds_documents_and_screenings_idempotently(tmp_path):
    demo.seed({})
    counts = (OrganisationDocument.objects.count(), Screening.objects.count())
    demo.seed({})
    assert (OrganisationDocument.objects.count(), Screening.objects.count()) == counts

    organisations = Organisation.objects.all()
    assert Screening.objects.values("organisation").distinct().count() == organisations.count()
    assert not Organisation.objects.filter(documents__isnull=True).exists()
    statuses = {o.dd_status for o in annotate_due_diligence(organisations, today=timezone.localdate())}
    assert statuses == {"complete", "incomplete", "expired"}
    assert OrganisationDocument.objects.filter(review_status=ReviewStatus.REJECTED).exists()
    assert OrganisationDocument.objects.filter(review_status=ReviewStatus.PENDING).exists()
    document = OrganisationDocument.objects.first()
    with document.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    false_positive = Screening.objects.get(decision=ScreeningDecision.FALSE_POSITIVE)
    assert false_positive.tenant.slug == "peace-direct" and false_positive.decision_reason
    assert Screening.objects.filter(decision=ScreeningDecision.CLEAR).count() >= organisations.count() - 2
    for tenant in {o.tenant for o in organisations}:
        states = {o.screening_state for o in organisations_to_screen_again(actor=Actor.system(tenant),
                                                                           now=timezone.now())}
        assert states == {"stale", "expired"}
