"""The envelope holds under concurrent approvals (PostgreSQL only: SQLite locks the whole file)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from grants.models import Application, ApplicationStatus
from grants.services.applications import application_transition
from relais.errors import Refused
from relais.models import Role
from tests.factories import OrganisationFactory
from tests.grants.factories import ApplicationFactory, CallFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = ApplicationStatus


def test_two_approvals_at_once_cannot_both_take_the_last_room(world_a, monkeypatch):
    from relais import workflow as engine

    original_audit = engine.audit_record

    def slow_audit(**kwargs):
        # Widen the race: each approval is written (not yet committed) before the other checks the envelope.
        event = original_audit(**kwargs)
        if kwargs.get("action") == "application.approve":
            time.sleep(0.5)
        return event

    monkeypatch.setattr(engine, "audit_record", slow_audit)
    call = CallFactory(tenant=world_a.tenant, envelope=Decimal("10000000"), status="closed")
    apps = [ApplicationFactory(tenant=world_a.tenant, call=call, status=S.DECISION_PENDING,
                               requested_amount=Decimal("6000000"),
                               organisation=OrganisationFactory(tenant=world_a.tenant)) for _ in range(2)]
    manager = world_a.actor(Role.MANAGER)
    barrier = threading.Barrier(2)
    refusals: list[str] = []
    errors: list[BaseException] = []

    def approve(application):
        try:
            barrier.wait()
            application_transition(application=application, target=S.APPROVED, actor=manager)
        except Refused as exc:
            refusals.append(" ".join(exc.messages))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    approved = Application.objects.filter(call=call, status=S.APPROVED)
    assert approved.count() == 1
    assert len(refusals) == 1 and "il reste" in refusals[0]
