"""Row locks under real concurrency (PostgreSQL only: SQLite locks the whole file)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from grants.models import Application, ApplicationStatus
from grants.services.applications import application_transition
from relais.actor import Actor
from relais.models import Role
from tests.factories import MembershipFactory, OrganisationFactory

from .conftest import complete_application

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

N = 6


def test_concurrent_submissions_get_distinct_consecutive_references(world_a):
    call = complete_application(world_a).call
    applicants = []
    for _ in range(N):
        organisation = OrganisationFactory(tenant=world_a.tenant, region=world_a.organisation.region)
        member = MembershipFactory(tenant=world_a.tenant, role=Role.APPLICANT, organisation=organisation)
        applicants.append((complete_application(world_a, call=call, organisation=organisation), member))
    barrier = threading.Barrier(N)
    errors: list[BaseException] = []

    def submit(application, member):
        try:
            barrier.wait()
            application_transition(application=application, target=ApplicationStatus.SUBMITTED,
                                   actor=Actor.of(member))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=pair) for pair in applicants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    references = sorted(Application.objects.filter(status=ApplicationStatus.SUBMITTED)
                        .values_list("reference", flat=True))
    numbers = sorted(int(reference.rsplit("-", 1)[1]) for reference in references)
    assert len(set(references)) == N
    assert numbers == list(range(numbers[0], numbers[0] + N))


def test_last_two_reviews_submitted_at_once_move_the_application_on(world_a, monkeypatch):
    import time

    from grants.models import ReviewStatus
    from grants.services.reviews import review_save
    from relais import workflow as engine
    from tests.grants.factories import ReviewFactory

    original_audit = engine.audit_record

    def slow_audit(**kwargs):
        # Widen the race: both reviews are saved (not yet committed) before either checks the others.
        event = original_audit(**kwargs)
        if kwargs.get("action") == "review.submit":
            time.sleep(0.5)
        return event

    monkeypatch.setattr(engine, "audit_record", slow_audit)

    application = complete_application(world_a, status=ApplicationStatus.IN_REVIEW)
    application.call.reviewers_per_application = 2
    application.call.save()
    second = MembershipFactory(tenant=world_a.tenant, role=Role.REVIEWER)
    reviews = [
        (ReviewFactory(tenant=world_a.tenant, application=application, reviewer=member.user,
                       status=ReviewStatus.DRAFT, coi="none"), Actor.of(member))
        for member in (world_a.members[Role.REVIEWER], second)
    ]
    scores = {c.pk: (4, "") for c in application.call.criteria.all()}
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def submit(review, actor):
        try:
            barrier.wait()
            review_save(review=review, actor=actor, scores=scores, recommendation="fund",
                        comment="", submit=True)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=pair) for pair in reviews]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECISION_PENDING


def test_two_saves_of_one_section_from_the_same_version_at_once_one_is_refused(world_a, monkeypatch):
    import time

    from grants.services import applications as services
    from relais.concurrency import Stale
    from tests.grants.factories import ApplicationFactory

    original_audit = services.audit_record

    def slow_audit(**kwargs):
        # Widen the race: the first save holds its transaction open while the second one starts.
        event = original_audit(**kwargs)
        time.sleep(0.5)
        return event

    monkeypatch.setattr(services, "audit_record", slow_audit)
    app = ApplicationFactory(tenant=world_a.tenant, organisation=world_a.organisation, title="", summary="")
    actor = world_a.actor(Role.APPLICANT)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(data):
        try:
            barrier.wait()
            services.application_section_save(application=Application.objects.get(pk=app.pk), actor=actor,
                                              section="project", data=data, expected_version=1)
            outcomes.append("saved")
        except Stale:
            outcomes.append("stale")
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(data,))
               for data in ({"title": "Onglet 1", "summary": ""}, {"title": "", "summary": "Onglet 2"})]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["saved", "stale"]
    app.refresh_from_db()
    assert app.version == 2
    assert (app.title, app.summary) in (("Onglet 1", ""), ("", "Onglet 2"))  # one save whole, nothing mixed
