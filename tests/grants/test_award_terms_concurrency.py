"""Two managers save the same award's terms at the same instant (PostgreSQL: real row locks): one
save wins, the other is refused as stale; the tranches are one plan, never a mix of both."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from grants.models import Award, Tranche
from grants.services.award_terms import PLAN_PERCENT, BudgetLineTerms, TrancheTerms, award_terms_save
from relais.concurrency import Stale
from relais.models import Role
from tests.factories import MembershipFactory
from tests.grants.factories import AwardFactory, TrancheFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_saves_of_the_same_version_one_wins_the_other_is_stale(world_a):
    from relais.actor import Actor

    award = AwardFactory(tenant=world_a.tenant, application__organisation=world_a.organisation,
                         amount=Decimal("1000000"))
    TrancheFactory(tenant=world_a.tenant, award=award, number=1, amount=Decimal("1000000"))
    managers = [world_a.actor(Role.MANAGER), Actor.of(MembershipFactory(tenant=world_a.tenant, role=Role.MANAGER))]
    plans = [(50, 50), (20, 30, 50)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(actor, plan):
        try:
            barrier.wait()
            award_terms_save(
                award=Award.objects.get(pk=award.pk), actor=actor, expected_version=1, title="Projet",
                start_date=dt.date(2027, 1, 1), end_date=dt.date(2027, 12, 31), plan=PLAN_PERCENT,
                budget_lines=[BudgetLineTerms(None, "Tout", Decimal("1000000"))],
                tranches=[TrancheTerms(dt.date(2027, 1, 1 + i), (), percent=Decimal(p)) for i, p in enumerate(plan)])
            outcomes.append("saved")
        except Stale:
            outcomes.append("stale")
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=pair) for pair in zip(managers, plans, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["saved", "stale"]
    amounts = [t.amount for t in Tranche.objects.filter(award=award).order_by("number")]
    assert amounts in ([Decimal("500000")] * 2, [Decimal("200000"), Decimal("300000"), Decimal("500000")])
    assert Award.objects.get(pk=award.pk).version == 2
