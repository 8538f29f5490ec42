"""seed_demo for capacity assessments: per workspace a baseline and a follow-up of the applicant's CSO."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from relais.actor import Actor
from relais.models import Membership, Role
from training.models import ActionItem, Assessment, AssessmentKind, AssessmentStatus
from training.selectors.assessments import organisation_progress


@pytest.mark.django_db
def test_the_demo_has_a_baseline_and_a_follow_up_of_the_applicants_organisation(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet-accounts")
    counts = (Assessment.objects.count(), ActionItem.objects.count())
    call_command("seed_demo", "--quiet-accounts")
    assert (Assessment.objects.count(), ActionItem.objects.count()) == counts
    for slug in ("peace-direct", "wanep-mali"):
        applicant = Membership.objects.select_related("organisation", "tenant").get(
            tenant__slug=slug, role=Role.APPLICANT, user__email=f"applicant@{slug}.demo")
        rows = Assessment.objects.filter(tenant__slug=slug)
        assert sorted(rows.values_list("kind", flat=True)) == sorted([AssessmentKind.BASELINE,
                                                                       AssessmentKind.FOLLOW_UP])
        assert set(rows.values_list("organisation", flat=True)) == {applicant.organisation_id}
        assert set(rows.values_list("status", flat=True)) == {AssessmentStatus.COMPLETED}
        assert ActionItem.objects.filter(tenant__slug=slug).count() == 5
        progress = organisation_progress(actor=Actor.of(applicant), organisation=applicant.organisation)
        assert len(progress.domains) == 7
        # Most domains improved between the baseline and the follow-up.
        improved = [p for p in progress.domains if p.means[1] > p.means[0]]
        assert len(improved) >= 5
