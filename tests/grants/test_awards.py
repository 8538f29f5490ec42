"""Awards: made by the approval, split into tranches that add up, visible to the right people only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from grants.models import ApplicationStatus, Award, AwardStatus, Tranche
from grants.services.applications import application_transition
from grants.services.awards import award_transition, tranche_cancel
from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.grants.conftest import complete_application
from tests.grants.factories import AwardFactory, BudgetLineFactory, TrancheFactory

S = ApplicationStatus
pytestmark = pytest.mark.django_db


def _approve(world, amount="4999999"):
    app = complete_application(world, status=S.DECISION_PENDING)
    BudgetLineFactory(tenant=world.tenant, application=app, quantity=Decimal("2"), unit_cost=Decimal("1500000"))
    application_transition(application=app, target=S.APPROVED, actor=world.actor(Role.MANAGER),
                           amount=amount, reason="Projet pertinent")
    return app


def test_the_approval_creates_the_award_with_tranches_adding_up_to_the_amount(world_a):
    app = _approve(world_a)
    award = Award.objects.get(application=app)
    assert (award.amount, award.currency, award.status) == (Decimal("4999999"), "XOF", AwardStatus.DRAFTED)
    amounts = list(Tranche.objects.filter(award=award).order_by("number").values_list("amount", flat=True))
    # 40 / 40 / 20 of 4 999 999 FCFA: no decimals; the two units left over go to the largest remainders
    # (999 999.8 first, then the earlier of the two 1 999 999.6).
    assert amounts == [Decimal("2000000"), Decimal("1999999"), Decimal("1000000")]
    assert sum(amounts) == award.amount
    assert award.budget_lines.filter(amount=Decimal("3000000")).exists()
    assert AuditEvent.objects.filter(action="award.create", target_id=str(award.pk)).exists()


def test_a_rejection_creates_no_award(world_a):
    app = complete_application(world_a, status=S.DECISION_PENDING)
    application_transition(application=app, target=S.REJECTED, actor=world_a.actor(Role.MANAGER), reason="Non")
    assert not Award.objects.filter(application=app).exists()


@pytest.mark.parametrize(("role", "visible"), [(Role.MANAGER, 200), (Role.FINANCE, 200), (Role.APPLICANT, 200),
                                                 (Role.REVIEWER, 404), (Role.TRAINER, 404)])
def test_who_opens_the_award_page(world_a, role, visible):
    award = Award.objects.get(application=_approve(world_a))
    response = world_a.client_for(role).get(world_a.url(f"awards/{award.pk}/"))
    assert response.status_code == visible
    if visible == 200:
        assert award.reference in response.content.decode()


def test_an_applicant_of_another_organisation_gets_404(world_a):
    other = AwardFactory(tenant=world_a.tenant)  # another CSO of the same workspace
    response = world_a.client_for(Role.APPLICANT).get(world_a.url(f"awards/{other.pk}/"))
    assert response.status_code == 404
    listing = world_a.client_for(Role.APPLICANT).get(world_a.url("awards/")).content.decode()
    assert other.reference not in listing


def test_terminating_asks_for_confirmation_and_a_reason(world_a):
    award = AwardFactory(tenant=world_a.tenant)
    client = world_a.client_for(Role.MANAGER)
    url = world_a.url(f"awards/{award.pk}/status/")
    page = client.post(url, {"target": AwardStatus.TERMINATED})
    assert page.status_code == 200 and "confirmed" in page.content.decode()
    award.refresh_from_db()
    assert award.status == AwardStatus.DRAFTED
    client.post(url, {"target": AwardStatus.TERMINATED, "confirmed": "yes", "reason": "Organisation dissoute"})
    award.refresh_from_db()
    assert (award.status, award.end_reason) == (AwardStatus.TERMINATED, "Organisation dissoute")


def test_a_manager_linked_to_the_cso_cannot_take_award_steps(world_a):
    award = AwardFactory(tenant=world_a.tenant, organisation=world_a.organisation)
    manager = world_a.members[Role.MANAGER]
    manager.organisation = world_a.organisation  # only the admin can name a CSO on a staff membership
    manager.save()
    with pytest.raises(Refused):
        award_transition(award=award, actor=world_a.actor(Role.MANAGER), target=AwardStatus.TERMINATED,
                         reason="Conflit")


def test_a_tranche_is_cancelled_with_a_reason_and_only_when_nothing_is_committed(world_a):
    award = AwardFactory(tenant=world_a.tenant, status=AwardStatus.ACTIVE)
    tranche = TrancheFactory(tenant=world_a.tenant, award=award, number=1)
    busy = TrancheFactory(tenant=world_a.tenant, award=award, number=2)
    Tranche.objects.filter(pk=busy.pk).update(committed=Decimal("1"))
    Award.objects.filter(pk=award.pk).update(committed=Decimal("1"))
    manager = world_a.actor(Role.MANAGER)
    with pytest.raises(Refused):
        tranche_cancel(tranche=tranche, actor=manager, reason=" ")
    with pytest.raises(Refused):
        tranche_cancel(tranche=busy, actor=manager, reason="Projet arrêté")
    done = tranche_cancel(tranche=tranche, actor=manager, reason="Projet arrêté")
    assert done.cancelled_at is not None and done.cancel_reason == "Projet arrêté"
    with pytest.raises(Refused):
        tranche_cancel(tranche=tranche, actor=world_a.actor(Role.FINANCE), reason="x")
