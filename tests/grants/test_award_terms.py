"""The award terms page (issue 11): a manager sets the title, period, budget and tranche plan of a drafted
award; sums are exact in the currency, two tabs never overwrite each other, nothing typed is lost."""

from __future__ import annotations

import datetime as dt
import gzip
from decimal import Decimal

import pytest

from grants.models import AwardBudgetLine, AwardStatus, Tranche
from grants.services.award_terms import (
    PLAN_CUSTOM,
    PLAN_PERCENT,
    BudgetLineTerms,
    TrancheTerms,
    award_terms_save,
)
from relais.errors import Refused
from relais.models import AuditEvent, Role
from tests.grants.factories import AwardBudgetLineFactory, AwardFactory, BudgetCategoryFactory, TrancheFactory
from tests.grants.test_policy_conflict import link
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db


def _award(world, *, amount=Decimal("5000000"), currency="XOF", status=AwardStatus.DRAFTED):
    award = AwardFactory(tenant=world.tenant, application__organisation=world.organisation, amount=amount,
                         currency=currency, status=status)
    TrancheFactory(tenant=world.tenant, award=award, number=1, amount=amount * Decimal("0.4"),
                   conditions=["agreement_signed"])
    TrancheFactory(tenant=world.tenant, award=award, number=2, amount=amount * Decimal("0.6"),
                   conditions=["agreement_signed", "due_diligence"])
    AwardBudgetLineFactory(tenant=world.tenant, award=award, description="Animateurs", amount=amount)
    return award


def _url(world, award):
    return world.url(f"awards/{award.pk}/terms/")


def _post(client, url, data, **changes):
    sent = {**data, **{k: v if isinstance(v, list) else [v] for k, v in changes.items()}}
    return client.post(url, sent)


# --- the service ----------------------------------------------------------------------------------

def _save(world, award, **kwargs):
    values = dict(title="Projet", start_date=dt.date(2027, 1, 1), end_date=dt.date(2027, 12, 31),
                  budget_lines=[BudgetLineTerms(None, "Tout", award.amount)], plan=PLAN_PERCENT,
                  tranches=[TrancheTerms(dt.date(2027, 1, 15), ("agreement_signed",), percent=Decimal(40)),
                            TrancheTerms(dt.date(2027, 6, 1), (), percent=Decimal(40)),
                            TrancheTerms(dt.date(2027, 11, 1), (), percent=Decimal(20))])
    values.update(kwargs)
    return award_terms_save(award=award, actor=world.actor(Role.MANAGER), **values)


def test_a_percentage_plan_is_split_exactly_and_audited(world_a):
    award = _award(world_a, amount=Decimal("1000001"))
    _save(world_a, award, tranches=[TrancheTerms(dt.date(2027, 1, 15), ("agreement_signed",), percent=Decimal(p))
                                    for p in (40, 40, 20)], budget_lines=[BudgetLineTerms(None, "Tout",
                                                                                         Decimal("1000001"))])
    tranches = list(Tranche.objects.filter(award=award).order_by("number"))
    assert [t.amount for t in tranches] == [Decimal("400001"), Decimal("400000"), Decimal("200000")]
    assert sum(t.amount for t in tranches) == award.amount
    assert tranches[0].conditions == ["agreement_signed"] and tranches[0].due_date == dt.date(2027, 1, 15)
    event = AuditEvent.objects.get(action="award.terms_saved")
    assert event.before["tranches"] == ["400000.40", "600000.60"]
    assert event.after["tranches"] == ["400001", "400000", "200000"]
    award.refresh_from_db()
    assert award.version == 2 and award.title == "Projet"


def test_a_custom_plan_in_euros_is_saved_as_typed(world_a):
    award = _award(world_a, amount=Decimal("10000.00"), currency="EUR")
    _save(world_a, award, plan=PLAN_CUSTOM, budget_lines=[BudgetLineTerms(None, "A", Decimal("9999.99")),
                                                          BudgetLineTerms(None, "B", Decimal("0.01"))],
          tranches=[TrancheTerms(dt.date(2027, 2, 1), (), amount=Decimal("3333.33")),
                    TrancheTerms(dt.date(2027, 3, 1), (), amount=Decimal("6666.67"))])
    assert list(Tranche.objects.filter(award=award).values_list("amount", flat=True)) == [Decimal("3333.33"),
                                                                                            Decimal("6666.67")]
    assert AwardBudgetLine.objects.filter(award=award).count() == 2


@pytest.mark.parametrize(("changes", "key", "message"), [
    ({"plan": PLAN_CUSTOM, "tranches": [TrancheTerms(dt.date(2027, 2, 1), (), amount=Decimal("4999999"))]},
     "tranches", "1 FCFA de moins que le montant accordé"),
    ({"plan": PLAN_CUSTOM, "tranches": [TrancheTerms(dt.date(2027, 2, 1), (), amount=Decimal("4999999.5")),
                                        TrancheTerms(dt.date(2027, 3, 1), (), amount=Decimal("0.5"))]},
     "tranches", "pas de décimales"),
    ({"tranches": [TrancheTerms(dt.date(2027, 2, 1), (), percent=Decimal(60)),
                   TrancheTerms(dt.date(2027, 3, 1), (), percent=Decimal(30))]}, "tranches", "90"),
    ({"budget_lines": [BudgetLineTerms(None, "Tout", Decimal("5001000"))]}, "budget",
     "1 000 FCFA de plus que le montant accordé"),
    ({"end_date": dt.date(2026, 12, 31)}, "end_date", "se terminer après"),
    ({"tranches": [TrancheTerms(dt.date(2028, 2, 1), (), percent=Decimal(100))]}, "tranches", "après la fin"),
])
def test_plans_that_do_not_add_up_or_wrong_dates_are_refused_and_nothing_is_written(world_a, changes, key,
                                                                                       message):
    award = _award(world_a)
    with pytest.raises(Refused) as caught:
        _save(world_a, award, **changes)
    assert message in " ".join(caught.value.message_dict[key]).replace("\u00a0", " ").replace("\u202f", " ")
    award.refresh_from_db()
    assert award.version == 1 and award.title != "Projet"
    assert [t.amount for t in Tranche.objects.filter(award=award)] == [Decimal("2000000"), Decimal("3000000")]
    assert not AuditEvent.objects.filter(action="award.terms_saved").exists()


def test_terms_are_frozen_once_the_agreement_is_issued(world_a):
    award = _award(world_a, status=AwardStatus.ISSUED)
    with pytest.raises(Refused, match="Retirer la convention pour modifier les termes"):
        _save(world_a, award)


def test_a_category_of_another_workspace_is_refused(world_a, world_b):
    award = _award(world_a)
    foreign = BudgetCategoryFactory(tenant=world_b.tenant)
    with pytest.raises(Refused) as caught:
        _save(world_a, award, budget_lines=[BudgetLineTerms(foreign.pk, "X", award.amount)])
    assert caught.value.forbidden


def test_a_manager_linked_to_the_grantee_cannot_save_the_terms(world_a):
    award = _award(world_a)
    link(world_a, "membership")
    with pytest.raises(Refused, match="Conflit d'intérêts"):
        _save(world_a, award)


# --- the page -----------------------------------------------------------------------------------

def test_manager_saves_a_percentage_plan_through_the_page(world_a):
    award = _award(world_a)
    category = BudgetCategoryFactory(tenant=world_a.tenant)
    client = world_a.client_for(Role.MANAGER)
    page = client.get(_url(world_a, award))
    assert page.status_code == 200
    data = form_data(page.content)
    assert data["plan"] == ["percent"] and data["tranches-0-percent"] == ["40"]
    data.update({"lines-0-category": [str(category.pk)], "tranches-0-due_date": ["2026-02-01"],
                 "tranches-1-due_date": ["2026-07-01"], "tranches-0-percent": ["30"], "tranches-1-percent": ["50"],
                 "tranches-2-percent": ["20"], "tranches-2-due_date": ["2026-11-01"],
                 "tranches-2-conditions": ["agreement_signed", "screening"]})
    response = client.post(_url(world_a, award), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    tranches = list(Tranche.objects.filter(award=award).order_by("number"))
    assert [t.amount for t in tranches] == [Decimal("1500000"), Decimal("2500000"), Decimal("1000000")]
    assert tranches[2].conditions == ["agreement_signed", "screening"]
    assert AwardBudgetLine.objects.get(award=award).category == category
    detail = client.get(world_a.url(f"awards/{award.pk}/")).content.decode()
    assert f"awards/{award.pk}/terms/" in detail


def test_an_error_keeps_everything_typed(world_a):
    award = _award(world_a)
    client = world_a.client_for(Role.MANAGER)
    data = form_data(client.get(_url(world_a, award)).content)
    data.update({"title": ["Nouveau titre"], "plan": ["custom"], "tranches-0-amount": ["1000000"],
                 "tranches-1-amount": ["3000000"], "tranches-0-due_date": ["2026-02-01"],
                 "tranches-1-due_date": ["2026-07-01"], "lines-0-description": ["Formateurs"]})
    response = client.post(_url(world_a, award), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 000 000 FCFA de moins que le montant accordé" in body.replace("\u202f", " ").replace("\xa0", " ")
    again = form_data(body)
    assert again["title"] == ["Nouveau titre"] and again["tranches-0-amount"] == ["1000000"]
    assert again["lines-0-description"] == ["Formateurs"] and again["plan"] == ["custom"]
    award.refresh_from_db()
    assert award.title != "Nouveau titre"


def test_xof_decimals_are_refused_by_the_page(world_a):
    award = _award(world_a)
    client = world_a.client_for(Role.MANAGER)
    data = form_data(client.get(_url(world_a, award)).content)
    data.update({"plan": ["custom"], "tranches-0-amount": ["1999999.5"], "tranches-1-amount": ["3000000.5"]})
    response = client.post(_url(world_a, award), data)
    assert response.status_code == 200
    assert "pas de décimales" in response.content.decode()
    assert Tranche.objects.filter(award=award, amount=Decimal("2000000")).exists()


def test_terms_edited_in_two_tabs_the_second_save_is_refused_with_both_sides_and_nothing_is_lost(world_a):
    award = _award(world_a)
    client = world_a.client_for(Role.MANAGER)
    url = _url(world_a, award)
    dates = {"tranches-0-due_date": ["2026-02-01"], "tranches-1-due_date": ["2026-07-01"]}
    tab1, tab2 = form_data(client.get(url).content), form_data(client.get(url).content)
    tab1.update({**dates, "title": ["Titre du premier onglet"]})
    assert client.post(url, tab1).status_code == 302
    tab2.update({**dates, "tranches-0-percent": ["50"], "tranches-1-percent": ["50"], "title": ["Titre du second"]})
    response = client.post(url, tab2)
    body = response.content.decode()
    assert response.status_code == 409 and "Quelqu'un d'autre a enregistré cette fiche" in body
    assert "Titre du premier onglet" in body and "Titre du second" in body
    award.refresh_from_db()
    assert award.title == "Titre du premier onglet"
    assert [t.amount for t in Tranche.objects.filter(award=award)] == [Decimal("2000000"), Decimal("3000000")]
    again = form_data(body)
    assert again["title"] == ["Titre du second"] and again["tranches-0-percent"] == ["50"]
    assert client.post(url, again).status_code == 302
    award.refresh_from_db()
    assert award.title == "Titre du second"
    assert [t.amount for t in Tranche.objects.filter(award=award)] == [Decimal("2500000"), Decimal("2500000")]


@pytest.mark.parametrize(("role", "status"), [(Role.APPLICANT, 403), (Role.FINANCE, 403), (Role.REVIEWER, 404),
                                              (Role.TRAINER, 404)])
def test_only_managers_open_the_terms(world_a, role, status):
    award = _award(world_a)
    client = world_a.client_for(role)
    assert client.get(_url(world_a, award)).status_code == status
    assert client.post(_url(world_a, award), {"title": "X"}).status_code == status
    award.refresh_from_db()
    assert award.version == 1


def test_a_manager_in_conflict_is_refused_the_page(world_a):
    award = _award(world_a)
    link(world_a, "contact-person")
    response = world_a.client_for(Role.MANAGER).get(_url(world_a, award))
    assert response.status_code == 403


def test_once_issued_the_page_sends_back_to_the_award_and_hides_the_link(world_a):
    award = _award(world_a, status=AwardStatus.ISSUED)
    client = world_a.client_for(Role.MANAGER)
    response = client.get(_url(world_a, award))
    assert response.status_code == 302 and response["Location"].endswith(f"awards/{award.pk}/")
    assert f"awards/{award.pk}/terms/" not in client.get(world_a.url(f"awards/{award.pk}/")).content.decode()


def test_the_terms_page_fits_the_page_budget_with_many_rows(world_a):
    award = _award(world_a)
    for _ in range(20):
        AwardBudgetLineFactory(tenant=world_a.tenant, award=award, description="Ligne de budget assez longue")
    response = world_a.client_for(Role.MANAGER).get(_url(world_a, award))
    assert response.status_code == 200
    assert len(gzip.compress(response.content, compresslevel=6)) <= 14 * 1024
    assert "<table" not in response.content.decode()  # rows are cards: nothing wider than a phone


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", [Role.APPLICANT, Role.FINANCE])
def test_the_award_status_url_answers_403_not_500_to_non_managers(world_a, role, method):
    """Core fix: award_change_status raised Refused (a 500) for the grantee and finance."""
    award = _award(world_a)
    response = getattr(world_a.client_for(role), method)(world_a.url(f"awards/{award.pk}/status/"),
                                                         {"target": AwardStatus.TERMINATED})
    assert response.status_code == 403
    award.refresh_from_db()
    assert award.status == AwardStatus.DRAFTED
