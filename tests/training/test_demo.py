"""seed_demo for capacity assessments: per workspace a baseline and a follow-up of the applicant's CSO."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from relais.actor import Actor
from relais.models import Membership, Role
from training.demo import HELD_TITLE, PLANNED_TITLE
from training.models import (
    ActionItem,
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    Attendance,
    Participant,
    Registration,
    SessionStatus,
    TrainingSession,
)
from training.selectors.assessments import organisation_progress
from training.selectors.reach import reach, reach_sessions


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


@pytest.mark.django_db
def test_the_demo_trainer_runs_a_held_session_with_attendance_and_a_planned_protected_one(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet-accounts")
    models = (TrainingSession, Participant, Registration, Attendance)
    counts = [m.objects.count() for m in models]
    call_command("seed_demo", "--quiet-accounts")
    assert [m.objects.count() for m in models] == counts
    for slug in ("peace-direct", "wanep-mali"):
        trainer = Membership.objects.select_related("tenant", "user").get(
            tenant__slug=slug, role=Role.TRAINER, user__email=f"trainer@{slug}.demo")
        sessions = TrainingSession.objects.filter(tenant__slug=slug, title__in=[HELD_TITLE, PLANNED_TITLE])
        assert {s.title: s.status for s in sessions} == {HELD_TITLE: SessionStatus.HELD,
                                                        PLANNED_TITLE: SessionStatus.PLANNED}
        assert {s.title: s.protected for s in sessions} == {HELD_TITLE: False, PLANNED_TITLE: True}
        assert all(trainer in s.trainers.all() for s in sessions)
        data = reach(sessions=reach_sessions(actor=Actor.of(trainer)).filter(title=HELD_TITLE))
        assert data.participants == 6 and data.person_days == 9
        assert {r.key for r in data.breakdowns["sex"]} == {"female", "male"}
        assert len(data.breakdowns["age_band"]) == 4
        assert len(data.breakdowns["organisation"]) >= 2
