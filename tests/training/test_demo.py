"""seed_demo for training: per workspace a baseline and a follow-up of the applicant's CSO, a closed session of
twenty people with attendance, scores, evaluations and certificates, and a planned protected one."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from relais.actor import Actor
from relais.models import Membership, Role
from training.demo import HELD_TITLE, PLANNED_TITLE
from training.learning import summarise
from training.models import (
    ActionItem,
    Assessment,
    AssessmentKind,
    AssessmentStatus,
    Attendance,
    AttendanceStatus,
    Certificate,
    Participant,
    Registration,
    SessionStatus,
    TrainingSession,
)
from training.selectors.assessments import organisation_progress
from training.selectors.learning import learning_rows
from training.selectors.reach import reach, reach_sessions

pytestmark = pytest.mark.django_db
# The demo is seeded once for the module (tests/conftest.py: demo_seeded_module); each test runs in a
# savepoint rolled back after it, so a second seed or a renamed session does not leak into the next.


def test_the_demo_has_a_baseline_and_a_follow_up_of_the_applicants_organisation(demo_db):
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


def _held(slug: str) -> TrainingSession:
    return TrainingSession.objects.get(tenant__slug=slug, title=HELD_TITLE)


def test_the_demo_trainer_closed_a_held_session_of_twenty_and_plans_a_protected_one(demo_db):
    models = (TrainingSession, Participant, Registration, Attendance, Certificate)
    counts = [m.objects.count() for m in models]
    call_command("seed_demo", "--quiet-accounts")
    assert [m.objects.count() for m in models] == counts
    names = {}
    for slug in ("peace-direct", "wanep-mali"):
        trainer = Membership.objects.select_related("tenant", "user").get(
            tenant__slug=slug, role=Role.TRAINER, user__email=f"trainer@{slug}.demo")
        sessions = TrainingSession.objects.filter(tenant__slug=slug, title__in=[HELD_TITLE, PLANNED_TITLE])
        assert {s.title: s.status for s in sessions} == {HELD_TITLE: SessionStatus.CLOSED,
                                                        PLANNED_TITLE: SessionStatus.PLANNED}
        assert {s.title: s.protected for s in sessions} == {HELD_TITLE: False, PLANNED_TITLE: True}
        assert all(trainer in s.trainers.all() for s in sessions)
        assert _held(slug).start_date < timezone.localdate() < sessions.get(title=PLANNED_TITLE).start_date
        data = reach(sessions=reach_sessions(actor=Actor.of(trainer)).filter(title=HELD_TITLE))
        assert data.participants == 20
        assert Attendance.objects.filter(registration__session=_held(slug)).count() == 40  # every day marked
        assert data.person_days == 38  # late counts as attended; one absent and one excused day
        assert {r.key for r in data.breakdowns["sex"]} == {"female", "male"}
        assert len(data.breakdowns["age_band"]) == 4
        assert len(data.breakdowns["organisation"]) == 5
        assert len(data.breakdowns["zone"]) == 3
        assert not data.women_below and not data.youth_below
        names[slug] = {r.participant.full_name for r in Registration.objects.filter(session=_held(slug))
                       .select_related("participant")}
    assert not names["peace-direct"] & names["wanep-mali"]  # a leak between the workspaces would show


def test_the_demo_session_has_scores_evaluations_and_certificates_for_those_who_attended_enough(demo_db):
    for slug in ("peace-direct", "wanep-mali"):
        session = _held(slug)
        trainer = Actor.of(session.trainers.select_related("tenant", "user").get())
        rows = learning_rows(session=session, actor=trainer)
        assert len(rows) == 20
        refused = [row for row in rows if not row.eligibility.allowed]
        assert len(refused) == 2 and all(row.certificate is None for row in refused)
        assert all(row.certificate is not None for row in rows if row.eligibility.allowed)
        assert Certificate.objects.filter(registration__session=session).count() == 18
        assert {row.eligibility.attended for row in refused} == {1}  # one absent, one excused day of two
        summary = summarise(row.registration for row in rows)
        assert summary.scored == 18 and summary.gain is not None and summary.gain > 15
        assert summary.evaluations >= 15
        assert sum(1 for row in rows if row.registration.evaluation_comment) >= 4
        late = Attendance.objects.filter(registration__session=session, status=AttendanceStatus.LATE)
        assert late.count() >= 3  # late still counts as attended: those people have their certificate
        assert all(Certificate.objects.filter(registration=a.registration).exists() for a in late)


def test_a_database_seeded_by_an_older_demo_gains_the_session_it_lacks(demo_db):
    # What an older demo left: a session by another title (six people then), the planned one as today.
    TrainingSession.objects.filter(title=HELD_TITLE).update(title="Atelier de médiation communautaire (démo)")
    call_command("seed_demo", "--quiet-accounts")
    for slug in ("peace-direct", "wanep-mali"):
        assert _held(slug).status == SessionStatus.CLOSED
        assert Registration.objects.filter(session=_held(slug)).count() == 20
        assert TrainingSession.objects.filter(tenant__slug=slug, title=PLANNED_TITLE).count() == 1


def test_the_demos_training_writes_are_counted_so_its_reach_is_never_served_stale(demo_db):
    """seed_demo writes training data through the services only: each bumped its workspace's counter, and the
    programme's figures served after seeding (again) are the live ones."""
    from training.models import ReachSnapshot
    from training.services.reach import programme_figures

    for slug in ("peace-direct", "wanep-mali"):
        manager = Actor.of(Membership.objects.select_related("tenant", "user").filter(
            tenant__slug=slug, role=Role.MANAGER).first())
        assert ReachSnapshot.objects.get(tenant=manager.tenant).changes > 0
        programme_figures(actor=manager)  # stored
    call_command("seed_demo", "--quiet-accounts")
    for slug in ("peace-direct", "wanep-mali"):
        manager = Actor.of(Membership.objects.select_related("tenant", "user").filter(
            tenant__slug=slug, role=Role.MANAGER).first())
        assert programme_figures(actor=manager) == reach(sessions=reach_sessions(actor=manager))
