"""Every page at scale: a large tenant (10,000 applications) against a small one (a tenth), on PostgreSQL.

    .venv/bin/python bench/scale.py            # build relais_bench, measure, drop it (about 4 minutes)
    .venv/bin/python bench/scale.py --keep     # keep the database; the next --keep run reuses it
    make bench-scale                           # the same as --keep

The large tenant has 2,000 organisations, 10 calls (the largest with 1,500 applications), 10,000
applications, 29,000 reviews, 220,000 audit events and 23 members; the small one a tenth of each
(the same 23 members). Rows come from the project's factories, and the big tables from bulk inserts
with the values the services write (references, search_name, statuses, scores). For each page and
role it prints the SQL queries, the p50/p95 server time over N requests through Django's test
client (in-process: no network, no gunicorn), the gzip size of the HTML and the p50 ratio large/small.
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

    calls = Call.objects.filter(tenant__slug=slug)
    largest = max(calls, key=lambda c: c.applications.count())
    application = Application.objects.filter(tenant__slug=slug, status="decision_pending").order_by("id").first()
    organisation = Organisation.objects.filter(tenant__slug=slug).order_by("id").first()
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
