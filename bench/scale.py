"""Every page at scale: a large tenant (10,000 applications) against a small one (a tenth), on PostgreSQL.

    .venv/bin/python bench/scale.py            # build relais_bench, measure, drop it (about 4 minutes)
    .venv/bin/python bench/scale.py --keep     # keep the database; the next --keep run reuses it
    make bench-scale                           # the same as --keep

The large tenant has 2,000 organisations, 10 calls (the largest with 1,500 applications), 10,000
applications, 29,000 reviews, 220,000 audit events and 23 members; the small one a tenth of each
(the same 23 members). Money: an award for each approved application (about 400), three tranches
each, payments (paid tranches, some awaiting a second approval or processing at HUB2) with their
ledger entries, and the reports of each award's schedule (about 1,200: drafts, submitted, changes
requested, approved). Training: 300 sessions over eighteen months and the next three (planned,
held, closed, cancelled), one with 300 registrations (30 in the small tenant; the other sessions
keep their size, 20 to 78), 5,000 participants of the tenant's CSOs, about 15,000 registrations,
attendance, scores and certificates for the sessions held, and 750 capacity assessments. Trainer0
runs most sessions and the big one; the applicant's CSO (the first organisation) has active awards
and reports. Rows come from the project's factories, and the big tables from bulk inserts with the
values the services write (references, search_name, statuses, scores, committed / paid, participant
codes). For each page and role it prints the SQL queries, the p50/p95 server time over N requests
through Django's test client (in-process: no network, no gunicorn), the gzip size of the HTML and
the p50 ratio large/small.
`BENCH_DATABASE_URL` chooses the server (default postgres://postgres@127.0.0.1:5432/relais_bench).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/relais_bench")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("VAR_DIR", "/tmp/relais-bench-var")
os.environ.setdefault("DEBUG", "true")

LARGE, SMALL = "bench-large", "bench-small"
CALL_SIZES = [1500, 1200, 1100, 1000, 1000, 1000, 900, 800, 800, 700]  # 10,000
ROLES = {"manager": 3, "reviewer": 8, "finance": 3, "trainer": 2, "applicant": 7}  # 23 members
PASSWORD = "bench-relais-2026"


def ensure_database(keep: bool) -> bool:
    """Create the bench database (drop it first unless --keep); True when it already held the data."""
    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and not keep:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return exists


def drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    parts = urlsplit(DATABASE_URL)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{parts.path.lstrip("/")}" WITH (FORCE)')


def build(slug: str, name: str, scale: float, users: dict[str, list]) -> None:  # noqa: PLR0915
    from django.db import connection, transaction
    from django.utils import timezone

    from grants.models import (
        Application,
        ApplicationStatus,
        CallStatus,
        ReferenceSequence,
        Review,
        ReviewScore,
        ReviewStatus,
    )
    from grants.services.ranking import ranking_facts_refresh
    from orgs.models import Organisation
    from orgs.models.documents import DueDiligenceItem, OrganisationDocument
    from orgs.models.documents import ReviewStatus as DocumentStatus
    from orgs.models.organisations import OrganisationStatus, fold
    from relais.models import AuditEvent, Membership
    from relais.services.tenancy import tenant_create
    from tests.factories import RegionFactory
    from tests.grants.factories import CallFactory, RubricCriterionFactory

    rng = random.Random(slug)
    now = timezone.now()
    with transaction.atomic():
        tenant = tenant_create(name=name, slug=slug, reference_prefix="BL" if slug == LARGE else "BS")
        regions = [RegionFactory(tenant=tenant, name=n) for n in
                   ("Bamako", "Kayes", "Koulikoro", "Sikasso", "Ségou", "Mopti", "Tombouctou", "Gao")]
        n_orgs = int(2000 * scale)
        organisations = []
        for i in range(n_orgs):
            region = regions[i % len(regions)]
            kind = rng.choice(["des femmes", "des jeunes", "pour la paix", "Dɛmɛ"])
            org_name = f"Association {kind} de {region.name} n°{i}"
            acronym = f"A{i:04d}"
            organisations.append(Organisation(
                tenant=tenant, name=org_name, acronym=acronym, region=region,
                status=OrganisationStatus.VERIFIED if i % 5 else OrganisationStatus.PENDING,
                search_name=fold(f"{org_name} {acronym} {region.name}")[:1000],
            ))
        organisations = Organisation.objects.bulk_create(organisations, batch_size=2000)

        members: dict[str, list] = {}
        for role, people in users.items():
            members[role] = []
            for k, user in enumerate(people):
                members[role].append(Membership.objects.create(
                    tenant=tenant, user=user, role=role,
                    organisation=organisations[k] if role == "applicant" else None))
        reviewers = [m.user for m in members["reviewer"]]
        manager = members["manager"][0].user
        # Applications are written by the CSO's own applicant (None for CSOs whose author is not one of
        # the 23 members), never by staff: an author is linked to the CSO (relais.conflicts).
        authors = {m.organisation_id: m.user for m in members["applicant"]}

        items = list(DueDiligenceItem.objects.filter(tenant=tenant))
        documents = []
        for org in organisations[: n_orgs // 3]:
            for item in items:
                documents.append(OrganisationDocument(
                    tenant=tenant, organisation=org, item=item, file=f"tenant-{tenant.pk}/due-diligence/x.pdf",
                    original_name="statuts.pdf", content_type="application/pdf", size=1000, sha256="0" * 64,
                    review_status=DocumentStatus.ACCEPTED if org.pk % 4 else DocumentStatus.PENDING,
                    expires_on=(now + dt.timedelta(days=rng.randint(-60, 700))).date() if item.expires else None))
        OrganisationDocument.objects.bulk_create(documents, batch_size=5000)

        calls = []
        sequence = 0
        statuses = [ApplicationStatus.DECISION_PENDING, ApplicationStatus.IN_REVIEW, ApplicationStatus.SUBMITTED,
                    ApplicationStatus.DRAFT, ApplicationStatus.APPROVED, ApplicationStatus.REJECTED,
                    ApplicationStatus.SCREENING]
        weights = [40, 25, 10, 10, 6, 6, 3]
        for c, size in enumerate(CALL_SIZES):
            call = CallFactory(tenant=tenant, title_fr=f"Appel {c + 1} : initiatives locales de paix",
                               status=CallStatus.CLOSED if c < 6 else CallStatus.OPEN,
                               envelope=Decimal("500000000"))
            criteria = [RubricCriterionFactory(tenant=tenant, call=call) for _ in range(3)]
            calls.append(call)
            applications = []
            for k in range(int(size * scale)):
                org = organisations[(k * 7 + c) % n_orgs]
                status = rng.choices(statuses, weights)[0]
                if c >= 6 and status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
                    status = ApplicationStatus.SUBMITTED
                submitted = status != ApplicationStatus.DRAFT
                if submitted:
                    sequence += 1
                applications.append(Application(
                    tenant=tenant, call=call, organisation=org, created_by=authors.get(org.pk),
                    reference=f"{tenant.reference_prefix}-2026-{sequence:05d}" if submitted else "",
                    status=status, title=f"Dialogue intercommunautaire à {org.region.name} ({k})",
                    summary="Renforcer le dialogue entre communautés. " * 5,
                    requested_amount=Decimal(rng.randrange(1_000_000, 10_000_000, 50_000)),
                    submitted_at=now - dt.timedelta(days=rng.randint(1, 90)) if submitted else None,
                ))
            applications = Application.objects.bulk_create(applications, batch_size=2000)
            reviews = []
            for app in applications:
                if app.status not in (ApplicationStatus.IN_REVIEW, ApplicationStatus.DECISION_PENDING,
                                      ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
                    continue
                for reviewer in rng.sample(reviewers, 3 if app.pk % 3 else 4):
                    done = app.status != ApplicationStatus.IN_REVIEW or rng.random() < 0.5
                    reviews.append(Review(
                        tenant=tenant, application=app, reviewer=reviewer, assigned_by=manager,
                        status=ReviewStatus.SUBMITTED if done else ReviewStatus.ASSIGNED,
                        coi="none" if done else "", recommendation="fund" if done else "",
                        submitted_at=now if done else None))
            reviews = Review.objects.bulk_create(reviews, batch_size=5000)
            ReviewScore.objects.bulk_create(
                [ReviewScore(tenant=tenant, review=r, criterion=cr, score=rng.randint(1, 5))
                 for r in reviews if r.status == ReviewStatus.SUBMITTED for cr in criteria], batch_size=5000)
            ranking_facts_refresh(call_id=call.pk)  # what the review services store as they go
        ReferenceSequence.objects.create(tenant=tenant, year=2026, last=sequence)

        actions = [("application.submitted", "grants.application"), ("review.submitted", "grants.review"),
                   ("application.status_changed", "grants.application"), ("organisation.updated", "orgs.organisation"),
                   ("membership.role_changed", "relais.membership"), ("call.updated", "grants.call")]
        people = [m.user for ms in members.values() for m in ms]
        for start in range(0, int(220_000 * scale), 20_000):
            AuditEvent.objects.bulk_create([
                AuditEvent(tenant=tenant, actor=rng.choice(people), action=action, target_type=target,
                           target_id=str(rng.randint(1, 10_000)), before={"status": "submitted"},
                           after={"status": "in_review"}, request_id="")
                for action, target in (rng.choice(actions) for _ in range(min(20_000, int(220_000 * scale) - start)))
            ], batch_size=5000)
        build_money(tenant, scale, rng, members, authors, organisations[0])
        build_training(tenant, scale, rng, members, organisations, regions)
        # bulk_create stamps "now" on auto_now fields: spread them as months of real use would.
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {AuditEvent._meta.db_table} "
                           "SET created_at = now() - (id %% 20000) * interval '10 minutes' WHERE tenant_id = %s",
                           [tenant.pk])
            cursor.execute(f"UPDATE {Application._meta.db_table} "
                           "SET updated_at = now() - (id %% 5000) * interval '15 minutes' WHERE tenant_id = %s",
                           [tenant.pk])
    # VACUUM too: the two UPDATEs above leave a dead row for each live one (242,000 in the audit table),
    # which a production database's autovacuum would have cleaned long ago; unvacuumed, reading the 51
    # newest events walked some 2,000 index pages and the audit log was measured slower than it is.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")



def build_money(tenant, scale: float, rng: random.Random, members: dict[str, list],  # noqa: PLR0912, PLR0915
                authors: dict[int, object], first_organisation) -> None:
    """Awards of the approved applications with three tranches (40 / 40 / 20 %), their payments, ledger and
    progress reports, bulk-inserted with the values the services keep: committed / paid on the award and the
    tranche (pending payments count as committed), a ledger entry per paid payment, the report schedule of
    grants.reporting.plan_schedule, a frozen version per submission. The CSO of the first organisation (the
    bench's applicant) gets an active award."""
    from django.db import connection
    from django.db.models import F
    from django.utils import timezone

    from grants.conditions import default_conditions
    from grants.models import (
        Application,
        ApplicationStatus,
        Award,
        AwardStatus,
        CallStatus,
        Disbursement,
        DisbursementStatus,
        LedgerEntry,
        LedgerKind,
        ProgressReport,
        Rail,
        ReportStatus,
        ReportVersion,
        Tranche,
    )
    from grants.reporting import plan_schedule

    today = timezone.localdate()
    now = timezone.now()
    manager = members["manager"][0].user
    finance, approver = members["finance"][0].user, members["finance"][1].user
    closed_calls = Application.objects.filter(tenant=tenant, call__status=CallStatus.CLOSED)
    if not closed_calls.filter(organisation=first_organisation, status=ApplicationStatus.APPROVED).exists():
        own = (closed_calls.filter(organisation=first_organisation).exclude(reference="")
               .exclude(status=ApplicationStatus.DRAFT).order_by("-id").first())
        assert own is not None, "the applicant's CSO has no submitted application in a closed call"
        Application.objects.filter(pk=own.pk).update(status=ApplicationStatus.APPROVED)
    approved = list(Application.objects.filter(tenant=tenant, status=ApplicationStatus.APPROVED)
                    .select_related("call").order_by("id"))
    # What the approval writes on the application (grants.services.applications).
    Application.objects.filter(pk__in=[a.pk for a in approved]).update(
        awarded_amount=F("requested_amount"), decided_by=manager, decided_at=now)

    statuses = [AwardStatus.ACTIVE] * 6 + [AwardStatus.DRAFTED, AwardStatus.ISSUED, AwardStatus.SIGNED,
                                           AwardStatus.CLOSED]
    awards = []
    for i, app in enumerate(approved):
        status = AwardStatus.ACTIVE if app.organisation_id == first_organisation.pk else statuses[(i // 10 + i) % 10]
        if status == AwardStatus.CLOSED:
            start = today - dt.timedelta(days=rng.randint(420, 700))
        elif status == AwardStatus.ACTIVE:
            start = today - dt.timedelta(days=rng.randint(30, 330))
        else:
            start = today + dt.timedelta(days=rng.randint(0, 60))
        signed = status in (AwardStatus.SIGNED, AwardStatus.ACTIVE, AwardStatus.CLOSED)
        countersigned = status in (AwardStatus.ACTIVE, AwardStatus.CLOSED)
        awards.append(Award(
            tenant=tenant, application=app, call_id=app.call_id, organisation_id=app.organisation_id,
            reference=app.reference, title=app.title or app.reference, amount=app.requested_amount,
            currency=app.call.currency, start_date=start, end_date=start + dt.timedelta(days=365), status=status,
            signed_at=now - dt.timedelta(days=max(0, (today - start).days)) if signed else None,
            countersigned_at=now - dt.timedelta(days=max(0, (today - start).days)) if countersigned else None,
            countersigned_by=manager if countersigned else None,
            end_reason="Projet achevé, rapport final approuvé." if status == AwardStatus.CLOSED else "",
            created_by=manager))

    # Each award's plan in Python first: tranche amounts, report statuses, payments; then the rows.
    tranche_rows: list[Tranche] = []
    report_plans: list[tuple[int, list]] = []  # (award index, [(plan, status)])
    payments: list[tuple[int, int, str, Decimal]] = []  # (award index, tranche number, status, amount)
    for i, award in enumerate(awards):
        shares = [award.amount * 40 // 100, award.amount * 40 // 100]
        shares.append(award.amount - sum(shares))
        tranches = [Tranche(tenant=tenant, award=award, number=n, amount=amount,
                            due_date=award.start_date + dt.timedelta(days=120 * (n - 1)),
                            conditions=default_conditions(n))
                    for n, amount in enumerate(shares, start=1)]
        plans = plan_schedule(award, tranches, today=today)
        reported = []
        for plan in plans:
            if award.status == AwardStatus.CLOSED:
                status = ReportStatus.APPROVED
            elif award.status != AwardStatus.ACTIVE or plan.due_date > today:
                status = ReportStatus.DRAFT
            elif plan.due_date > today - dt.timedelta(days=45):
                status = rng.choice([ReportStatus.SUBMITTED, ReportStatus.DRAFT, ReportStatus.CHANGES_REQUESTED])
            else:
                status = rng.choice([ReportStatus.APPROVED] * 4 + [ReportStatus.SUBMITTED,
                                                                   ReportStatus.CHANGES_REQUESTED])
            reported.append((plan, status))
        report_plans.append((i, reported))
        if award.status == AwardStatus.CLOSED:
            payments += [(i, n, DisbursementStatus.PAID, t.amount) for n, t in enumerate(tranches, start=1)]
        elif award.status == AwardStatus.ACTIVE:
            first = rng.random()
            if first < 0.8:
                payments.append((i, 1, DisbursementStatus.PAID, tranches[0].amount))
            elif first < 0.9:
                payments.append((i, 1, DisbursementStatus.AWAITING_APPROVAL, tranches[0].amount))
            previous_paid = first < 0.8
            for n in (2, 3):  # a later tranche once the report gating it is approved
                if not previous_paid or reported[n - 2][1] != ReportStatus.APPROVED:
                    break
                draw = rng.random()
                if draw < 0.45:
                    payments.append((i, n, DisbursementStatus.PAID, tranches[n - 1].amount))
                elif draw < 0.6:
                    payments.append((i, n, DisbursementStatus.AWAITING_APPROVAL, tranches[n - 1].amount))
                elif draw < 0.7:
                    payments.append((i, n, DisbursementStatus.PROCESSING, tranches[n - 1].amount))
                previous_paid = draw < 0.45
        tranche_rows += tranches
    for i, n, status, amount in payments:  # committed = awaiting, processing and paid; paid = paid
        award, tranche = awards[i], tranche_rows[3 * i + n - 1]
        award.committed += amount
        tranche.committed += amount
        if status == DisbursementStatus.PAID:
            award.paid += amount
            tranche.paid += amount
    awards = Award.objects.bulk_create(awards, batch_size=2000)
    for k, tranche in enumerate(tranche_rows):
        tranche.award = awards[k // 3]
    tranche_rows = Tranche.objects.bulk_create(tranche_rows, batch_size=5000)

    disbursements = []
    for i, n, status, amount in payments:
        award, tranche = awards[i], tranche_rows[3 * i + n - 1]
        waits = amount > Decimal("1000000")  # the default XOF threshold (GrantSettings.approval_thresholds)
        rail = Rail.HUB2 if status == DisbursementStatus.PROCESSING else Rail.BANK
        disbursements.append(Disbursement(
            tenant=tenant, award=award, tranche=tranche, rail=rail, amount=amount, currency=award.currency,
            paid_currency=award.currency, paid_amount=amount, paid_on=min(tranche.due_date, today),
            reference=f"VIR-{award.reference}-{n}" if rail == Rail.BANK else "",
            payee=({"bank": "BDM-SA", "account": f"ML102 {award.organisation_id:012d}", "holder": award.title[:40]}
                   if rail == Rail.BANK else {"operator": "orange", "number": "+22370000000"}),
            status=status, needs_approval=waits, recorded_by=finance,
            approved_by=approver if waits and status != DisbursementStatus.AWAITING_APPROVAL else None,
            approved_at=now if waits and status != DisbursementStatus.AWAITING_APPROVAL else None,
            idempotency_key=f"relais-{tenant.pk}-bench-{tranche.pk}"))
    disbursements = Disbursement.objects.bulk_create(disbursements, batch_size=5000)
    LedgerEntry.objects.bulk_create([
        LedgerEntry(tenant=tenant, award_id=d.award_id, tranche_id=d.tranche_id, disbursement=d,
                    kind=LedgerKind.PAYMENT, amount=d.amount, currency=d.currency, created_by=finance)
        for d in disbursements if d.status == DisbursementStatus.PAID], batch_size=5000)

    reports = []
    for i, reported in report_plans:
        award = awards[i]
        author = authors.get(award.organisation_id)
        for plan, status in reported:
            written = status != ReportStatus.DRAFT
            decided = status in (ReportStatus.APPROVED, ReportStatus.CHANGES_REQUESTED)
            reports.append(ProgressReport(
                tenant=tenant, award=award, number=plan.number, kind=plan.kind,
                gates_tranche=tranche_rows[3 * i + plan.gates_tranche.number - 1] if plan.gates_tranche else None,
                period_start=plan.period_start, period_end=plan.period_end, due_date=plan.due_date, status=status,
                activities="Ateliers de dialogue tenus dans trois communes. " * 3 if written else "",
                results="Deux comités de paix locaux installés. " * 2 if written else "",
                submitted_at=now - dt.timedelta(days=max(0, (today - plan.due_date).days)) if written else None,
                submitted_by=author if written else None,
                decided_at=now if decided else None, decided_by=manager if decided else None))
    reports = ProgressReport.objects.bulk_create(reports, batch_size=5000)
    ReportVersion.objects.bulk_create([
        ReportVersion(tenant=tenant, report=r, number=1, created_by=r.submitted_by,
                      snapshot={"activities": r.activities, "results": r.results})
        for r in reports if r.status != ReportStatus.DRAFT], batch_size=5000)
    with connection.cursor() as cursor:  # auto_now stamps: spread them as months of use would
        cursor.execute(f"UPDATE {Award._meta.db_table} SET updated_at = now() - (id %% 3000) * interval '2 hours' "
                       "WHERE tenant_id = %s", [tenant.pk])
        cursor.execute(f"UPDATE {Disbursement._meta.db_table} SET created_at = paid_on + interval '10 hours' "
                       "WHERE tenant_id = %s", [tenant.pk])


BIG_SESSION_TITLE = "Grande session : médiation communautaire (banc d'essai)"
FIRST_NAMES = ["Aïssata", "Hamidou", "Fatoumata", "Sékou", "Mariam", "Bakary", "Oumou", "Adama", "Djénéba",
               "Moussa", "Kadidia", "Souleymane", "Rokia", "Issa", "Assétou", "Modibo", "Nana", "Drissa"]
LAST_NAMES = ["Traoré", "Diallo", "Coulibaly", "Maïga", "Keïta", "Konaté", "Sidibé", "Touré", "Dembélé",
              "Cissé", "Sanogo", "Diarra", "Ag Ahmed", "Walet Mohamed", "Guindo", "Dicko"]


def build_training(tenant, scale: float, rng: random.Random, members: dict[str, list],  # noqa: PLR0915
                   organisations: list, regions: list) -> None:
    """Sessions (planned, held, closed, cancelled) over the past eighteen months and the next three, the
    tenant's CSOs' participants, registrations, attendance for the sessions that took place, pre/post scores
    and evaluations, certificates where the attendance allows, and capacity assessments. Trainer0 runs most
    sessions and the big one (300 registrations at 1.0); trainer1 runs the rest."""
    from django.utils import timezone

    from relais.demographics import AgeBand, Sex
    from training.models import (
        Assessment,
        AssessmentKind,
        AssessmentScore,
        AssessmentStatus,
        AssessmentSubArea,
        Attendance,
        AttendanceStatus,
        Certificate,
        Participant,
        Registration,
        SessionStatus,
        Topic,
        TrainingSession,
    )
    from training.models.sessions import CODE_ALPHABET
    from training.selectors import fold

    today = timezone.localdate()
    trainers = members["trainer"]
    topics = list(Topic.objects.filter(tenant=tenant).order_by("position"))
    codes: set[str] = set()
    while len(codes) < int(5000 * scale):  # unique per tenant, as the model's random default almost always is
        codes.add("P-" + "".join(rng.choice(CODE_ALPHABET) for _ in range(6)))
    by_organisation: dict[int, list[Participant]] = {}
    participants = []
    for k, code in enumerate(sorted(codes)):
        organisation = organisations[(k * 3) % len(organisations)]
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        participants.append(Participant(
            tenant=tenant, organisation=organisation, full_name=name, name_folded=fold(name),
            sex=rng.choice([Sex.FEMALE, Sex.MALE]), age_band=rng.choice(list(AgeBand.values)),
            role_title=rng.choice(["Animatrice", "Chargé de programme", "Trésorière", "Président", "Médiatrice"]),
            code=code))
    participants = Participant.objects.bulk_create(participants, batch_size=5000)
    for participant in participants:
        by_organisation.setdefault(participant.organisation_id, []).append(participant)
    with_people = list(by_organisation)

    n_sessions = int(300 * scale)
    sessions, rosters, invitations = [], [], []
    for s in range(n_sessions):
        big = s == 0
        start = today - dt.timedelta(days=20) if big else today + dt.timedelta(days=rng.randint(-540, 90))
        end = start + dt.timedelta(days=1 if big else rng.randint(0, 2))
        if start > today:
            status = SessionStatus.CANCELLED if rng.random() < 0.05 else SessionStatus.PLANNED
        elif big:
            status = SessionStatus.HELD
        else:
            status = rng.choices([SessionStatus.CLOSED, SessionStatus.HELD, SessionStatus.CANCELLED], [60, 30, 10])[0]
        wanted = int(300 * scale) if big else rng.randint(20, 78)  # a session's size does not scale
        invited, roster = [], []
        while len(roster) < wanted:
            organisation_id = rng.choice(with_people)
            if organisation_id in invited:
                continue
            invited.append(organisation_id)
            roster += by_organisation[organisation_id][: wanted - len(roster)]
        if s % 10 == 1 and organisations[0].pk not in invited:  # the bench applicant's CSO is invited to some
            invited.append(organisations[0].pk)
        region = regions[s % len(regions)]
        sessions.append(TrainingSession(
            tenant=tenant, title=BIG_SESSION_TITLE if big else f"{topics[s % len(topics)].name} à {region.name} ({s})",
            topic=topics[s % len(topics)], start_date=start, end_date=end, remote=s % 9 == 0,
            region=None if s % 9 == 0 else region, venue="" if s % 9 == 0 else "Maison des jeunes",
            languages="Français, bambara", capacity=max(wanted, 25), hours_per_day=6, protected=s % 8 == 0,
            status=status, cancel_reason="Insécurité sur la route." if status == SessionStatus.CANCELLED else "",
            created_by=trainers[0 if big or s % 3 else 1].user))
        rosters.append(roster)
        invitations.append(invited)
    sessions = TrainingSession.objects.bulk_create(sessions, batch_size=1000)
    Trainers = TrainingSession.trainers.through  # noqa: N806 - Django's auto-created model
    Invited = TrainingSession.invited_organisations.through  # noqa: N806
    Trainers.objects.bulk_create(
        [Trainers(trainingsession_id=session.pk, membership_id=trainers[0 if s == 0 or s % 3 else 1].pk)
         for s, session in enumerate(sessions)]
        + [Trainers(trainingsession_id=session.pk, membership_id=trainers[1].pk)
           for s, session in enumerate(sessions) if s % 3 and s % 4 == 0], batch_size=5000)
    Invited.objects.bulk_create([Invited(trainingsession_id=session.pk, organisation_id=organisation_id)
                                 for session, invited in zip(sessions, invitations, strict=True)
                                 for organisation_id in invited], batch_size=5000)

    took_place = (SessionStatus.HELD, SessionStatus.CLOSED)
    registrations = []
    for session, roster in zip(sessions, rosters, strict=True):
        scored = session.status in took_place
        for participant in roster:
            pre = rng.randint(25, 70) if scored and rng.random() < 0.85 else None
            registrations.append(Registration(
                tenant=tenant, session=session, participant=participant, registered_by=session.created_by,
                pre_score=pre, post_score=min(100, pre + rng.randint(-5, 30)) if pre is not None else None,
                satisfaction=rng.randint(3, 5) if scored and rng.random() < 0.8 else None))
    registrations = Registration.objects.bulk_create(registrations, batch_size=5000)
    marks, certificates = [], []
    statuses, weights = list(AttendanceStatus.values), [85, 7, 5, 3]
    for registration in registrations:
        session = registration.session
        if session.status not in took_place:
            continue
        days = session.days
        attended = 0
        for day in days:
            status = rng.choices(statuses, weights)[0]
            attended += status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
            marks.append(Attendance(tenant=tenant, registration=registration, day=day, status=status))
        # certificate_issue's rule (80 % of the days by default), issued on closed sessions.
        if session.status == SessionStatus.CLOSED and attended * 100 >= 80 * len(days):
            certificates.append(Certificate(tenant=tenant, registration=registration, issued_by=session.created_by))
    Attendance.objects.bulk_create(marks, batch_size=5000)
    Certificate.objects.bulk_create(certificates, batch_size=5000)

    sub_areas = list(AssessmentSubArea.objects.filter(tenant=tenant).values_list("pk", flat=True))
    facilitators = [trainers[0].user, trainers[1].user, members["manager"][0].user]
    assessments = []
    for k, organisation in enumerate(organisations[::4]):
        assessments.append(Assessment(
            tenant=tenant, organisation=organisation, date=today - dt.timedelta(days=rng.randint(200, 700)),
            kind=AssessmentKind.BASELINE, facilitator=facilitators[k % 3],
            status=AssessmentStatus.COMPLETED if k % 10 else AssessmentStatus.DRAFT))
        if k % 2 == 0:
            assessments.append(Assessment(
                tenant=tenant, organisation=organisation, date=today - dt.timedelta(days=rng.randint(0, 150)),
                kind=AssessmentKind.FOLLOW_UP, facilitator=facilitators[k % 3],
                status=AssessmentStatus.COMPLETED if k % 5 else AssessmentStatus.DRAFT))
    assessments = Assessment.objects.bulk_create(assessments, batch_size=2000)
    AssessmentScore.objects.bulk_create([  # a completed assessment has every sub-area scored
        AssessmentScore(tenant=tenant, assessment=assessment, sub_area_id=sub_area, score=rng.randint(1, 4))
        for assessment in assessments if assessment.status == AssessmentStatus.COMPLETED
        for sub_area in sub_areas], batch_size=5000)


def make_users() -> dict[str, list]:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from relais.models import User

    hashed = make_password(PASSWORD)  # hashing once: 23 accounts share the password
    users: dict[str, list] = {}
    for role, count in ROLES.items():
        users[role] = []
        for k in range(count):
            email = f"{role}{k}@bench.test"
            user = User.objects.create(email=email, username=email, full_name=f"{role.title()} Banc {k}",
                                       password=hashed)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            users[role].append(user)
    return users


def pages(slug: str) -> list[tuple[str, str, str]]:
    """(label, role, path) for every page measured."""
    from grants.models import Application, Call
    from orgs.models import Organisation
    from training.models import TrainingSession

    calls = Call.objects.filter(tenant__slug=slug)
    largest = max(calls, key=lambda c: c.applications.count())
    application = Application.objects.filter(tenant__slug=slug, status="decision_pending").order_by("id").first()
    organisation = Organisation.objects.filter(tenant__slug=slug).order_by("id").first()
    big_session = TrainingSession.objects.get(tenant__slug=slug, title=BIG_SESSION_TITLE)
    return [
        ("dashboard", "manager", ""),
        ("members", "manager", "members/"),
        ("organisation list", "manager", "organisations/"),
        ("organisation list", "finance", "organisations/"),
        ("organisation detail", "manager", f"organisations/{organisation.pk}/"),
        ("due-diligence overview", "manager", "due-diligence/"),
        ("audit log", "manager", "audit/"),
        ("application list", "manager", "applications/"),
        ("application detail", "manager", f"applications/{application.pk}/"),
        ("call list", "manager", "calls/"),
        ("call ranking (largest)", "manager", f"calls/{largest.pk}/ranking/"),
        ("dashboard", "reviewer", ""),
        ("review list", "reviewer", "reviews/"),
        ("dashboard", "finance", ""),
        ("dashboard", "trainer", ""),
        ("dashboard", "applicant", ""),
        ("application list", "applicant", "applications/"),
        ("call list", "applicant", "calls/"),
        ("award list", "manager", "awards/"),
        ("award list", "finance", "awards/"),
        ("award list", "applicant", "awards/"),
        ("finance page (payments to approve / processing)", "finance", "finance/"),
        ("report list", "manager", "reports/"),
        ("report list", "applicant", "reports/"),
        ("session list", "trainer", "training/"),
        ("session list", "manager", "training/"),
        ("big session detail (participants)", "trainer", f"training/{big_session.pk}/"),
        ("reach", "manager", "training/reach/"),
        ("assessment list", "manager", "training/assessments/"),
    ]


class QueryCounter:
    """Counts SQL statements through an execute wrapper: it survives the reconnections that
    CONN_MAX_AGE=0 makes at every request, unlike connection.queries."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(repeat: int) -> dict[tuple[str, str], dict[str, tuple[int, float, float, int]]]:
    """Small and large tenant requests interleaved page by page, so a busy machine hurts both alike."""
    from django.db import connection
    from django.test import Client

    from relais.models import User

    results: dict[tuple[str, str], dict[str, tuple[int, float, float, int]]] = {}
    clients: dict[str, Client] = {}
    plans = {slug: pages(slug) for slug in (SMALL, LARGE)}
    for index, (label, role, _path) in enumerate(plans[SMALL]):
        if role not in clients:
            clients[role] = Client()
            clients[role].force_login(User.objects.get(email=f"{role}0@bench.test"))
        client = clients[role]
        urls = {slug: f"/{slug}/{plans[slug][index][2]}" for slug in plans}
        times: dict[str, list[float]] = {slug: [] for slug in plans}
        first = {}
        for slug, url in urls.items():
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                response = client.get(url)
            assert response.status_code == 200, (url, role, response.status_code)
            first[slug] = (counter.count, len(gzip.compress(response.content, 6)))
        for _ in range(repeat):
            for slug, url in urls.items():
                start = time.perf_counter()
                client.get(url)
                times[slug].append((time.perf_counter() - start) * 1000)
        results[(label, role)] = {}
        for slug, measured in times.items():
            measured.sort()
            p95 = measured[min(len(measured) - 1, int(round(0.95 * (len(measured) - 1))))]
            results[(label, role)][slug] = (first[slug][0], statistics.median(measured), p95, first[slug][1])
        print(".", end="", flush=True)
    print()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the bench database")
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "7")),
                        help="timed requests per page (default 7)")
    args = parser.parse_args()
    started = time.perf_counter()
    reused = ensure_database(args.keep)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from relais.models import Tenant

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    if not (reused and Tenant.objects.filter(slug__in=[LARGE, SMALL]).count() == 2):
        print("building the tenants…", flush=True)
        users = make_users()
        build(LARGE, "Banc d'essai — grand", 1.0, users)
        build(SMALL, "Banc d'essai — petit", 0.1, users)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    built = time.perf_counter()
    results = measure(args.repeat)
    print(f"\n{args.repeat} requests per page; times in ms (server time, in-process); HTML gzip in KiB at 10k")
    print("| page | role | queries 1k / 10k | p50 1k | p95 1k | p50 10k | p95 10k | ratio p50 | HTML gzip 10k |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for key, by_slug in results.items():
        q_small, p50_small, p95_small, _size = by_slug[SMALL]
        q_large, p50_large, p95_large, size = by_slug[LARGE]
        print(f"| {key[0]} | {key[1]} | {q_small} / {q_large} | {p50_small:.0f} | {p95_small:.0f} | {p50_large:.0f} "
              f"| {p95_large:.0f} | {p50_large / p50_small:.2f}× | {size / 1024:.1f} |")
    if not args.keep:
        drop_database()
    print(f"\nmeasured in {time.perf_counter() - built:.0f} s; total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
