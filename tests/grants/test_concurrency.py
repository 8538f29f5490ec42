"""Row locks under real concurrency (PostgreSQL only: SQLite locks the whole file)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from grants.models import Application, ApplicationStatus
from grants.services.applications import application_transition
from orgs.models import Role
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
                                   actor=member.user, membership=member)
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
