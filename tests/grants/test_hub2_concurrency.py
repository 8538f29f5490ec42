"""Two workers send the same HUB2 payment at once: one transfer, and the second never even asks
(PostgreSQL only: the payment's row lock is held during the call to HUB2)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
import requests
from django.db import connection

from grants import hub2_rail
from grants.models import AwardStatus, Disbursement, DisbursementStatus
from grants.services.hub2 import hub2_send
from tests.grants.factories import AwardFactory, DisbursementFactory, GrantSettingsFactory, TrancheFactory

from .test_hub2 import FakeHub2

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class SlowHub2(FakeHub2):
    def send(self, request, **kwargs):
        if request.method == "POST":
            time.sleep(0.5)  # the second worker arrives while the first waits for HUB2
        return super().send(request, **kwargs)


def test_two_workers_sending_one_payment_make_one_transfer(world_a, monkeypatch, settings):
    settings.HUB2_API_URL = "https://hub2.test"
    fake = SlowHub2()

    def session():
        s = requests.Session()
        s.mount("https://", fake)
        return s

    monkeypatch.setattr(hub2_rail, "session_factory", session)
    GrantSettingsFactory(tenant=world_a.tenant, hub2_enabled=True, hub2_api_key="k", hub2_merchant_id="m",
                         hub2_webhook_secret="s")
    award = AwardFactory(tenant=world_a.tenant, application__organisation=world_a.organisation,
                         status=AwardStatus.ACTIVE)
    tranche = TrancheFactory(tenant=world_a.tenant, award=award, number=1, conditions=[])
    disbursement = DisbursementFactory(
        tenant=world_a.tenant, award=award, tranche=tranche, rail="hub2", status=DisbursementStatus.PROCESSING,
        amount=Decimal("10000"), paid_amount=Decimal("10000"), operator="orange_money",
        payee={"operator": "orange_money", "number": "+22370123456", "holder": "Mariam Cissé"})
    barrier = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []

    def send():
        try:
            barrier.wait()
            results.append(hub2_send(disbursement_id=disbursement.pk))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == ["nothing to do", "sent"]
    assert len(fake.posts()) == 1 and len(fake.transfers) == 1
    assert [c for c in fake.calls if c[0] == "GET"] == []
    assert Disbursement.objects.get(pk=disbursement.pk).external_id == "tr_0001"
