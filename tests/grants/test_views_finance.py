"""The finance page, the award list's filters, the money panels of the dashboard and the award exports:
who sees what, figures per currency, constant queries from 3 to 30 awards, page weight."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from grants.conditions import tranche_conditions, tranche_conditions_many
from grants.models import AwardStatus, DisbursementStatus, Rail
from relais.models import AuditEvent, Role
from tests.factories import OrganisationFactory, RegionFactory
from tests.grants.factories import AwardFactory, CallFactory, DisbursementFactory, TrancheFactory
from tests.relais.test_page_weight import check

pytestmark = pytest.mark.django_db

CONDITIONS = ["agreement_signed", "due_diligence", "screening"]


def award_with_money(world, *, currency="XOF", amount=Decimal("5000000"), status=AwardStatus.ACTIVE,
                     organisation=None, call=None, committed=Decimal("0"), paid=Decimal("0"), **kwargs):
    """An award of its own CSO with a first tranche (conditions to evaluate) and a second one."""
    organisation = organisation or OrganisationFactory(tenant=world.tenant)
    extra = {"application__call": call} if call is not None else {}
    award = AwardFactory(tenant=world.tenant, application__organisation=organisation, currency=currency,
                         amount=amount, status=status, committed=committed, paid=paid, **extra, **kwargs)
    first = TrancheFactory(tenant=world.tenant, award=award, number=1, amount=amount * Decimal("0.4"),
                           conditions=CONDITIONS, committed=committed, paid=paid)
    TrancheFactory(tenant=world.tenant, award=award, number=2, amount=amount * Decimal("0.6"),
                   conditions=["agreement_signed"])
    return award, first


def populate(world, n):
    """n active awards, each with one payment awaiting approval and one HUB2 payment processing."""
    recorder = world.user(Role.FINANCE)
    for _ in range(n):
        award, tranche = award_with_money(world, committed=Decimal("200000"))
        DisbursementFactory(tenant=world.tenant, award=award, tranche=tranche, amount=Decimal("100000"),
                            status=DisbursementStatus.AWAITING_APPROVAL, recorded_by=recorder)
        DisbursementFactory(tenant=world.tenant, award=award, tranche=tranche, amount=Decimal("100000"),
                            rail=Rail.HUB2, status=DisbursementStatus.PROCESSING)


def queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in captured.captured_queries]


# --- scale -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "path"), [
    (Role.FINANCE, "finance/"), (Role.MANAGER, "finance/"), (Role.FINANCE, "awards/"), (Role.MANAGER, "awards/"),
    (Role.FINANCE, ""), (Role.MANAGER, ""), (Role.APPLICANT, ""), (Role.APPLICANT, "awards/"),
])
def test_pages_cost_the_same_queries_for_3_or_30_awards_and_never_count(worlds, role, path):
    world_a, world_b = worlds
    populate(world_b, 5)  # the other tenant has money too
    populate(world_a, 3)
    award_with_money(world_a, organisation=world_a.organisation)  # the applicant's own
    client = world_a.client_for(role)
    client.get(world_a.url())  # the session's first refresh stamp is written here, not below
    few = queries(client, world_a.url(path))
    populate(world_a, 27)
    award_with_money(world_a, organisation=world_a.organisation, status=AwardStatus.ISSUED)
    many = queries(client, world_a.url(path))
    assert len(many) == len(few), "\n".join(many)
    counts = [sql for sql in many if sql.startswith("SELECT COUNT(*)") and '"grants_' in sql]
    assert not counts, counts


def gated(world, n):
    """n active awards whose second tranche (to pay) waits for report 1: some approved, some not, one
    tranche gated by no report (the condition is met)."""
    from grants.models import ReportStatus
    from tests.grants.factories import ProgressReportFactory

    statuses = [ReportStatus.APPROVED, ReportStatus.SUBMITTED, ReportStatus.DRAFT, None]
    for i in range(n):
        award, first = award_with_money(world, committed=Decimal("2000000"))  # the first tranche is paid
        second = award.tranches.get(number=2)
        second.conditions = ["agreement_signed", "previous_report"]
        second.save()
        if statuses[i % 4] is not None:
            ProgressReportFactory(tenant=world.tenant, award=award, number=1, gates_tranche=second,
                                  status=statuses[i % 4])


@pytest.mark.parametrize(("role", "path"), [(Role.FINANCE, "finance/"), (Role.MANAGER, "finance/"),
                                            (Role.FINANCE, "")])
def test_the_previous_report_condition_costs_the_same_queries_for_2_or_10_tranches(worlds, role, path):
    """The finance page and the dashboard asked for the gating report of each tranche shown (an N+1
    capped by the page size)."""
    world_a, world_b = worlds
    gated(world_b, 4)
    gated(world_a, 2)
    client = world_a.client_for(role)
    client.get(world_a.url())  # the session's first refresh stamp is written here, not below
    few = queries(client, world_a.url(path))
    gated(world_a, 10)
    many = queries(client, world_a.url(path))
    assert len(many) == len(few), "\n".join(many)


def test_the_previous_report_condition_says_the_same_in_a_list_and_one_by_one(worlds):
    from grants.selectors.finance import first_tranches_to_pay

    world_a, world_b = worlds
    gated(world_b, 4)
    gated(world_a, 8)
    actor = world_a.actor(Role.FINANCE)
    today = timezone.localdate()
    tranches = [t for t in first_tranches_to_pay(actor=actor, n=100) if "previous_report" in t.conditions]
    assert len(tranches) == 8
    many = tranche_conditions_many(tranches, actor=actor, today=today)
    problems = []
    for t in tranches:
        assert many[t.pk] == tranche_conditions(t, actor=actor, today=today)
        problems.append(next(s.problem for s in many[t.pk] if s.code == "previous_report"))
    assert problems.count(None) == 4  # approved, or gated by no report
    assert len({p for p in problems if p}) == 2  # submitted, draft: the number and status named


@pytest.mark.parametrize(("role", "path"), [(Role.FINANCE, "finance/"), (Role.MANAGER, "awards/"),
                                            (Role.FINANCE, "")])
def test_pages_fit_the_budget_with_30_awards(world_a, role, path):
    populate(world_a, 30)
    check(f"{path}[{role}] with 30 awards", world_a.client_for(role).get(world_a.url(path)))


def test_the_lists_use_the_narrow_screen_classes(world_a):
    populate(world_a, 2)
    page = world_a.client_for(Role.FINANCE).get(world_a.url("finance/")).content.decode()
    assert page.count('class="table-wrap"') == 5
    assert 'class="num"' in page and "secondary-col" in page


# --- who sees what -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER, Role.APPLICANT])
def test_others_than_finance_and_managers_are_refused_the_page_and_the_export(world_a, role):
    populate(world_a, 1)
    client = world_a.client_for(role)
    assert client.get(world_a.url("finance/")).status_code == 403
    assert client.post(world_a.url("finance/export/"), {"format": "csv"}).status_code == 403
    assert not AuditEvent.objects.filter(action="award.exported").exists()


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.TRAINER])
def test_reviewers_and_trainers_see_no_award(world_a, role):
    award, _ = award_with_money(world_a)
    client = world_a.client_for(role)
    assert award.reference not in client.get(world_a.url("awards/")).content.decode()
    assert client.get(world_a.url(f"awards/{award.pk}/")).status_code == 404


def test_an_applicant_sees_its_own_awards_only(world_a):
    own, _ = award_with_money(world_a, organisation=world_a.organisation)
    other, _ = award_with_money(world_a)
    client = world_a.client_for(Role.APPLICANT)
    page = client.get(world_a.url("awards/")).content.decode()
    assert own.reference in page and other.reference not in page
    dashboard = client.get(world_a.url()).content.decode()
    assert own.reference in dashboard and other.reference not in dashboard
    assert client.get(world_a.url(f"awards/{other.pk}/")).status_code == 404
    # The filters cannot widen the applicant's list.
    response = client.get(world_a.url("awards/"), {"q": other.reference})
    assert list(response.context["page"]) == []


def test_the_finance_page_shows_nothing_of_another_workspace(worlds):
    world_a, world_b = worlds
    foreign, _ = award_with_money(world_b, currency="EUR", amount=Decimal("7777"))
    mine, _ = award_with_money(world_a)
    page = world_a.client_for(Role.FINANCE).get(world_a.url("finance/")).content.decode()
    assert mine.reference in page and foreign.reference not in page
    assert "EUR" not in page.split('id="totals"')[1].split("</section>")[0]


# --- figures -----------------------------------------------------------------------------------------

def test_totals_are_per_currency_and_never_summed_across(world_a):
    award_with_money(world_a, currency="XOF", amount=Decimal("5000000"), committed=Decimal("2000000"),
                     paid=Decimal("1000000"))
    award_with_money(world_a, currency="XOF", amount=Decimal("3000000"))
    award_with_money(world_a, currency="EUR", amount=Decimal("12000.50"), committed=Decimal("4000.25"),
                     paid=Decimal("4000.25"))
    response = world_a.client_for(Role.FINANCE).get(world_a.url("finance/"))
    totals = {row.currency: row for row in response.context["totals"]}
    assert set(totals) == {"EUR", "XOF"}
    assert (totals["XOF"].awards, totals["XOF"].amount, totals["XOF"].committed, totals["XOF"].paid,
            totals["XOF"].remaining) == (2, Decimal("8000000"), Decimal("2000000"), Decimal("1000000"),
                                         Decimal("6000000"))
    assert (totals["EUR"].awards, totals["EUR"].amount, totals["EUR"].paid, totals["EUR"].remaining) == (
        1, Decimal("12000.50"), Decimal("4000.25"), Decimal("8000.25"))
    section = response.content.decode().split('id="totals"')[1].split("</section>")[0]
    assert "8\u202f000\u202f000" in section or "8 000 000" in section.replace("\u00a0", " ").replace("\u202f", " ")
    assert "8012000" not in section.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")


def test_the_filters_narrow_the_awards_and_the_totals(world_a):
    north = RegionFactory(tenant=world_a.tenant, name="Tombouctou")
    call = CallFactory(tenant=world_a.tenant, status="decided")
    in_region, _ = award_with_money(world_a, organisation=OrganisationFactory(tenant=world_a.tenant, region=north))
    in_call, _ = award_with_money(world_a, call=call)
    in_euro, _ = award_with_money(world_a, currency="EUR", amount=Decimal("1000"))
    closed, _ = award_with_money(world_a, status=AwardStatus.CLOSED)
    client = world_a.client_for(Role.FINANCE)

    def shown(params):
        response = client.get(world_a.url("finance/"), params)
        return {award.reference for award in response.context["page"]}, response.context["totals"]

    assert shown({"region": north.pk})[0] == {in_region.reference}
    assert shown({"call": call.pk})[0] == {in_call.reference}
    references, totals = shown({"currency": "EUR"})
    assert references == {in_euro.reference} and [t.currency for t in totals] == ["EUR"]
    assert shown({"status": "closed"})[0] == {closed.reference}
    assert len(shown({"region": "x", "currency": "ZZZ", "status": "nope"})[0]) == 4  # odd values are ignored


def test_the_award_list_searches_reference_and_accent_folded_organisation(world_a):
    segou = OrganisationFactory(tenant=world_a.tenant, name="Réseau des femmes de Ségou", search_name="")
    segou.search_name = "reseau des femmes de segou"
    segou.save()
    found, _ = award_with_money(world_a, organisation=segou)
    other, _ = award_with_money(world_a)
    client = world_a.client_for(Role.MANAGER)
    for text in ("segou", "SÉGOU femmes", found.reference.lower()):
        page = client.get(world_a.url("awards/"), {"q": text}).content.decode()
        assert found.reference in page and other.reference not in page, text
    page = client.get(world_a.url("awards/"), {"q": "segou", "status": "closed"}).content.decode()
    assert found.reference not in page


def test_tranches_to_pay_say_why_one_is_not_ready(world_a):
    from tests.factories_dd import DueDiligenceItemFactory

    DueDiligenceItemFactory(tenant=world_a.tenant, required=True)  # nobody has sent it
    ready_award, _ = award_with_money(world_a)
    blocked, _ = award_with_money(world_a)
    full, full_tranche = award_with_money(world_a, committed=Decimal("2000000"))
    drafted, _ = award_with_money(world_a, status=AwardStatus.DRAFTED)
    # Only "agreement signed" on the ready award's first tranche; the other keeps due diligence and screening.
    ready_award.tranches.filter(number=1).update(conditions=["agreement_signed"])
    response = world_a.client_for(Role.FINANCE).get(world_a.url("finance/"))
    rows = {(row.tranche.award.reference, row.tranche.number): row for row in response.context["tranches"]}
    assert rows[(ready_award.reference, 1)].ready
    problems = rows[(blocked.reference, 1)].problems
    assert {p.code for p in problems} == {"due_diligence", "screening"} and all(p.problem for p in problems)
    assert (full.reference, 1) not in rows  # fully committed
    assert (full.reference, 2) in rows
    assert not any(ref == drafted.reference for ref, _n in rows)  # not active
    page = response.content.decode()
    assert "never been screened" in page or "jamais été" in page


def test_conditions_of_a_list_match_the_one_by_one_answers(world_a):
    """The bulk answers (finance page, dashboard) say exactly what the award page says, screening states included."""
    from datetime import timedelta

    from grants.selectors.finance import first_tranches_to_pay
    from orgs.models import ReviewStatus
    from tests.factories_dd import DueDiligenceItemFactory, OrganisationDocumentFactory, ScreeningFactory

    populate(world_a, 2)
    item = DueDiligenceItemFactory(tenant=world_a.tenant, required=True)
    now = timezone.now()
    cases = [("clear", now), ("pending", now), ("confirmed", now), ("clear", now - timedelta(days=3000))]
    documents = [(ReviewStatus.ACCEPTED, None), (ReviewStatus.ACCEPTED, timezone.localdate() - timedelta(days=1)),
                 (ReviewStatus.PENDING, None), None]
    for (decision, ran_at), document in zip(cases, documents, strict=True):
        award, _ = award_with_money(world_a)
        ScreeningFactory(tenant=world_a.tenant, organisation=award.organisation, decision=decision, ran_at=ran_at,
                         names_screened=[award.organisation.name, award.organisation.acronym])
        if document is not None:
            OrganisationDocumentFactory(tenant=world_a.tenant, organisation=award.organisation, item=item,
                                        review_status=document[0], expires_on=document[1])
    actor = world_a.actor(Role.FINANCE)
    today = timezone.localdate()
    tranches = first_tranches_to_pay(actor=actor, n=100)
    assert len(tranches) == 12
    many = tranche_conditions_many(tranches, actor=actor, today=today)
    problems, dd_problems = set(), set()
    for t in tranches:
        assert many[t.pk] == tranche_conditions(t, actor=actor, today=today)
        problems.update(state.problem for state in many[t.pk] if state.code == "screening")
        dd_problems.update(state.problem for state in many[t.pk] if state.code == "due_diligence")
    assert len(problems) >= 4  # never screened, awaiting a decision, confirmed, expired (and maybe valid/None)
    assert len(dd_problems) == 3  # complete (None), expired, incomplete


def test_due_diligence_and_screening_of_a_list_are_asked_together(world_a, monkeypatch, django_assert_num_queries):
    """The registry answers the two conditions of the tranches shown from one statement (relais.payability's joint
    check, orgs.hooks.registry_checks_many): the same answers as each check asked alone, one query instead of two."""
    from grants.selectors.finance import first_tranches_to_pay
    from relais import payability
    from tests.factories_dd import DueDiligenceItemFactory, OrganisationDocumentFactory

    item = DueDiligenceItemFactory(tenant=world_a.tenant, required=True)
    for k in range(3):
        award, tranche = award_with_money(world_a)
        tranche.conditions = ["due_diligence", "screening"] if k else ["screening"]
        tranche.save()
        if k == 2:
            OrganisationDocumentFactory(tenant=world_a.tenant, organisation=award.organisation, item=item,
                                        review_status="accepted")
    actor = world_a.actor(Role.FINANCE)
    today = timezone.localdate()
    tranches = [t for t in first_tranches_to_pay(actor=actor, n=100) if t.number == 1]
    with django_assert_num_queries(1):
        together = tranche_conditions_many(tranches, actor=actor, today=today)
    monkeypatch.setattr(payability, "_JOINT_CHECKS", {})
    with django_assert_num_queries(2):
        apart = tranche_conditions_many(tranches, actor=actor, today=today)
    assert together == apart and len(together) == 3
    due_diligence = [state.met for states in together.values() for state in states if state.code == "due_diligence"]
    assert sorted(due_diligence) == [False, True]


def test_payments_awaiting_approval_and_processing_link_to_their_award(world_a):
    award, tranche = award_with_money(world_a, committed=Decimal("300000"))
    other = world_a.members[Role.MANAGER].user
    waiting = DisbursementFactory(tenant=world_a.tenant, award=award, tranche=tranche, recorded_by=other,
                                  amount=Decimal("100000"), status=DisbursementStatus.AWAITING_APPROVAL)
    DisbursementFactory(tenant=world_a.tenant, award=award, tranche=tranche, rail=Rail.STRIPE,
                        amount=Decimal("100000"), status=DisbursementStatus.PROCESSING)
    DisbursementFactory(tenant=world_a.tenant, award=award, tranche=tranche, rail=Rail.BANK,
                        amount=Decimal("100000"), status=DisbursementStatus.PAID)
    response = world_a.client_for(Role.FINANCE).get(world_a.url("finance/"))
    assert [p.pk for p in response.context["awaiting"]] == [waiting.pk]
    assert [row.payment.rail for row in response.context["processing"]] == [Rail.STRIPE]
    assert f"/awards/{award.pk}/#payments" in response.content.decode()


# --- dashboard ---------------------------------------------------------------------------------------

def test_the_finance_panel_leaves_out_payments_i_recorded(world_a):
    award, tranche = award_with_money(world_a, committed=Decimal("200000"))
    me = world_a.user(Role.FINANCE)
    DisbursementFactory(tenant=world_a.tenant, award=award, tranche=tranche, recorded_by=me,
                        amount=Decimal("100000"))
    theirs = DisbursementFactory(tenant=world_a.tenant, award=award, tranche=tranche,
                                 recorded_by=world_a.user(Role.MANAGER), amount=Decimal("100000"))
    response = world_a.client_for(Role.FINANCE).get(world_a.url())
    panel = next(p for p in response.context["panels"] if p["template"] == "grants/panels/finance.html")
    assert [p.pk for p in panel["awaiting"]] == [theirs.pk]
    assert "Rien à faire pour le moment" not in response.content.decode()


def test_the_manager_panel_lists_agreements_to_issue_and_countersign(world_a):
    drafted, _ = award_with_money(world_a, status=AwardStatus.DRAFTED)
    signed, _ = award_with_money(world_a, status=AwardStatus.SIGNED)
    active, _ = award_with_money(world_a)
    response = world_a.client_for(Role.MANAGER).get(world_a.url())
    panel = next(p for p in response.context["panels"] if p["template"] == "grants/panels/agreements.html")
    assert [a.pk for a in panel["to_issue"]] == [drafted.pk]
    assert [a.pk for a in panel["to_countersign"]] == [signed.pk]
    assert active.reference not in response.content.decode()


def test_the_grantee_panel_shows_the_agreement_to_sign_and_the_last_payment(world_a):
    award, tranche = award_with_money(world_a, organisation=world_a.organisation, status=AwardStatus.ISSUED)
    DisbursementFactory(tenant=world_a.tenant, award=award, tranche=tranche, amount=Decimal("250000"),
                        status=DisbursementStatus.PAID, paid_on=timezone.localdate())
    page = world_a.client_for(Role.APPLICANT).get(world_a.url()).content.decode()
    assert award.reference in page
    assert "signez-la" in page or "sign it" in page
    assert "250" in page and "Dernier paiement" in page


def test_an_approved_applicant_is_pointed_to_the_award_page(world_a):
    award, _ = award_with_money(world_a, organisation=world_a.organisation, status=AwardStatus.DRAFTED)
    client = world_a.client_for(Role.APPLICANT)
    detail = client.get(world_a.url(f"applications/{award.application_id}/")).content.decode()
    assert "vous contactera" not in detail
    assert f"/awards/{award.pk}/" in detail and award.reference in detail
    dashboard = client.get(world_a.url()).content.decode()
    assert "vous contactera" not in dashboard and award.reference in dashboard


# --- exports -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_is_neutralised_filtered_and_audited(world_a, fmt):
    evil = OrganisationFactory(tenant=world_a.tenant, name='=HYPERLINK("http://x","clic")')
    shown, _ = award_with_money(world_a, organisation=evil, currency="XOF", amount=Decimal("5000000"),
                                paid=Decimal("1000000"), committed=Decimal("1000000"))
    award_with_money(world_a, currency="EUR", amount=Decimal("1000"))
    response = world_a.client_for(Role.FINANCE).post(world_a.url("finance/export/"),
                                                     {"format": fmt, "currency": "XOF"})
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[("" if c is None else str(c)) for c in row] for row in sheet.iter_rows(values_only=True)]
    assert len(rows) == 2  # the header and the one XOF award
    row = rows[1]
    assert row[0] == shown.reference and row[1].startswith("'=HYPERLINK")
    assert row[6] == "XOF" and Decimal(row[7]) == Decimal("5000000") and Decimal(row[9]) == Decimal("1000000")
    event = AuditEvent.objects.get(action="award.exported")
    assert event.after["format"] == fmt and event.after["rows"] == 1 and "currency=XOF" in event.after["filters"]


def test_the_export_is_a_post_so_a_link_or_a_prefetch_never_writes_an_audit_event(world_a):
    populate(world_a, 1)
    client = world_a.client_for(Role.FINANCE)
    assert client.get(world_a.url("finance/export/"), {"format": "csv"}).status_code == 405
    assert not AuditEvent.objects.filter(action="award.exported").exists()
    page = client.get(world_a.url("finance/"), {"currency": "XOF"}).content.decode()
    assert 'name="currency" value="XOF"' in page  # the export form carries the filters


def test_the_hand_written_tranches_to_pay_are_the_querysets_rows(worlds):
    """first_tranches_to_pay unfiltered (one hand-written statement) reads the rows, in the order and with the
    values, of tranches_to_pay's queryset: no due date last, ties by award and number, cancelled, fully
    committed, inactive and foreign tranches left out."""
    import datetime as dt

    from grants.models import Tranche
    from grants.selectors.finance import TRANCHE_ROW_FIELDS, first_tranches_to_pay, tranches_to_pay

    world_a, world_b = worlds
    populate(world_b, 3)
    for k in range(4):
        award, first = award_with_money(world_a, committed=Decimal("2000000") if k == 1 else Decimal("0"))
        Tranche.objects.filter(pk=first.pk).update(due_date=None if k == 2 else dt.date(2026, 5, 1))
    award_with_money(world_a, status=AwardStatus.SIGNED)
    cancelled, tranche = award_with_money(world_a)
    Tranche.objects.filter(pk=tranche.pk).update(cancelled_at=timezone.now())
    actor = world_a.actor(Role.FINANCE)
    for n in (3, 100):
        expected = list(tranches_to_pay(actor=actor).select_related("award__organisation")
                        .only(*TRANCHE_ROW_FIELDS)[:n])
        rows = first_tranches_to_pay(actor=actor, n=n)
        assert [t.pk for t in rows] == [t.pk for t in expected] and rows
        for got, want in zip(rows, expected, strict=True):
            for model, a, b in ((Tranche, got, want), (type(want.award), got.award, want.award),
                                (type(want.award.organisation), got.award.organisation, want.award.organisation)):
                assert a.get_deferred_fields() == b.get_deferred_fields(), model  # the columns the rows show
                for f in model._meta.concrete_fields:
                    if f.attname not in b.get_deferred_fields():
                        assert getattr(a, f.attname) == getattr(b, f.attname), (model, f.name)
    assert len(first_tranches_to_pay(actor=actor, n=100)) == 8  # 5 awards x 2 tranches, less full, cancelled
    assert first_tranches_to_pay(actor=world_a.actor(Role.APPLICANT), n=100) == []


def test_the_hand_written_payments_to_follow_are_the_querysets_rows(worlds):
    """payments_to_follow unfiltered (one hand-written statement) reads the rows of awaiting_approval and of
    processing_payments, in their orders, as the values of the columns those querysets read (PAYMENT_ROW_VALUES):
    ties on the creation time by id, a payment without recorder, a bank payment processing, paid and foreign
    payments left out; filtered, the querysets' values."""
    from grants.models import Disbursement
    from grants.selectors.finance import (
        PAYMENT_ROW_VALUES,
        AwardFilters,
        awaiting_approval,
        payments_to_follow,
        processing_payments,
    )

    world_a, world_b = worlds
    populate(world_b, 3)
    award, tranche = award_with_money(world_a, committed=Decimal("900000"))
    other, other_tranche = award_with_money(world_a, committed=Decimal("900000"))
    recorder = world_a.user(Role.MANAGER)
    made = []
    for k in range(4):
        for status, rail in ((DisbursementStatus.AWAITING_APPROVAL, Rail.BANK), (DisbursementStatus.PROCESSING,
                             Rail.HUB2 if k % 2 else Rail.STRIPE), (DisbursementStatus.PROCESSING, Rail.BANK),
                             (DisbursementStatus.PAID, Rail.BANK)):
            made.append(DisbursementFactory(
                tenant=world_a.tenant, award=other if k == 1 else award, tranche=other_tranche if k == 1 else tranche,
                amount=Decimal("100000.50"), status=status, rail=rail, recorded_by=None if k == 2 else recorder,
                external_id="tr_1" if k == 3 else "", send_attempts=k))
    same_time = timezone.now() - timezone.timedelta(days=1)
    Disbursement.objects.filter(pk__in=[p.pk for p in made[:8]]).update(created_at=same_time)
    Disbursement.objects.filter(pk=made[-3].pk).update(send_stalled_at=same_time)
    actor = world_a.actor(Role.FINANCE)
    for n in (2, 100):
        awaiting, processing = payments_to_follow(actor=actor, n=n)
        for rows, queryset in ((awaiting, awaiting_approval(actor=actor)),
                               (processing, processing_payments(actor=actor))):
            expected = list(queryset.values_list(*PAYMENT_ROW_VALUES)[:n])
            assert rows == expected and rows
            assert [type(v) for row in rows for v in row] == [type(v) for row in expected for v in row]
            # What the rows show is what the instances the page read before said.
            instances = {p.pk: p for p in queryset}
            for row in rows:
                payment = instances[row.pk]
                if "award" in queryset.query.select_related:
                    assert row.award_reference == payment.award.reference
                if queryset.query.select_related.get("recorded_by") is not None:
                    assert (row.organisation_short_name, row.tranche_number) == (
                        payment.award.organisation.short_name, payment.tranche.number)
                    assert row.recorder_display_name == (payment.recorded_by and payment.recorded_by.display_name)
    filtered = AwardFilters(currency="XOF")
    assert all(payments_to_follow(actor=actor, filters=filtered, n=100))
    assert payments_to_follow(actor=actor, filters=filtered, n=100) == (
        list(awaiting_approval(actor=actor, filters=filtered).values_list(*PAYMENT_ROW_VALUES)),
        list(processing_payments(actor=actor, filters=filtered).values_list(*PAYMENT_ROW_VALUES)))
    assert len(awaiting) == 4 and len(processing) == 4
    assert payments_to_follow(actor=world_a.actor(Role.APPLICANT), n=100) == ([], [])


def test_the_hand_written_award_rows_and_totals_are_the_querysets(worlds):
    """Unfiltered, the finance page's award rows (WorkspaceAwardRows) are filtered_awards' rows as values of
    FINANCE_ROW_FIELDS, page by page, in its order (ties on the update time by id), the region's name none for a
    CSO without one; the totals the same statement reads are totals_by_currency's, to the last decimal, per
    currency, in its order; another workspace's awards count in neither."""
    from grants.models import Award
    from grants.selectors.finance import (
        FINANCE_ROW_FIELDS,
        AwardFilters,
        WorkspaceAwardRows,
        filtered_awards,
        totals_by_currency,
    )
    from relais.pagination import page_of

    world_a, world_b = worlds
    populate(world_b, 3)
    regionless = OrganisationFactory(tenant=world_a.tenant, region=None)
    for k in range(7):
        award_with_money(world_a, currency=("XOF", "EUR", "USD")[k % 3], amount=Decimal("1234567.89") + k,
                         committed=Decimal("0.01") * k, paid=Decimal("0.005") * k,
                         organisation=regionless if k == 3 else None)
    Award.objects.filter(tenant=world_a.tenant, currency="EUR").update(updated_at=timezone.now())
    actor = world_a.actor(Role.FINANCE)
    queryset = filtered_awards(actor=actor, filters=AwardFilters()).values_list("pk", *FINANCE_ROW_FIELDS)
    rows = WorkspaceAwardRows(tenant_id=world_a.tenant.pk)
    for number in (1, 2, 3, 9):
        got, want = page_of(rows, number, 3), page_of(queryset, number, 3)
        assert list(got) == list(want) and got.has_next == want.has_next and list(got)
        assert [type(value) for row in got for value in row] == [type(value) for row in want for value in row]
    assert any(row.region_name is None for row in rows[0:100])
    # What the rows show is what the award instances the page read before said.
    awards = {a.pk: a for a in filtered_awards(actor=actor, filters=AwardFilters()).select_related("organisation")}
    assert all((row.organisation_short_name, row.remaining) == (awards[row.pk].organisation.short_name,
                                                                awards[row.pk].remaining) for row in rows[0:100])
    expected = totals_by_currency(filtered_awards(actor=actor, filters=AwardFilters()))
    assert [t.currency for t in expected] == ["EUR", "USD", "XOF"]
    for window in (slice(0, 3), slice(6, 9), slice(100, 125)):  # a window of some rows, of none
        rows = WorkspaceAwardRows(tenant_id=world_a.tenant.pk)
        rows[window]
        assert rows.totals == expected
    assert all(isinstance(t.paid, Decimal) and isinstance(t.awards, int) for t in rows.totals)
