"""The finance pages at scale: a workspace with 10,000 awards against one with 1,000, on PostgreSQL.

    .venv/bin/python bench/finance_scale.py            # build relais_bench_finance, measure, drop it
    .venv/bin/python bench/finance_scale.py --keep     # keep the database; the next --keep run reuses it

Each workspace has a tenth as many organisations as awards, 10 calls, and per award an approved
application and three tranches (40 / 40 / 20 %); 60 % of the awards are active, with a paid first
tranche on half of them, and a payment awaiting approval or processing (HUB2) on some; XOF and EUR
awards. Self-contained (its own database and builder, not bench/scale.py). For each page it prints the
SQL queries, the p50/p95 server time through Django's test client and the gzip size of the HTML.
`BENCH_FINANCE_DATABASE_URL` chooses the server (default postgres://postgres@127.0.0.1:5432/relais_bench_finance).
"""

from __future__ import annotations

import argparse
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
DATABASE_URL = os.environ.get("BENCH_FINANCE_DATABASE_URL",
                              "postgres://postgres@127.0.0.1:5432/relais_bench_finance")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("VAR_DIR", "/tmp/relais-bench-finance-var")
os.environ.setdefault("DEBUG", "true")

SIZES = {"finance-1k": 1_000, "finance-10k": 10_000}
ROLES = ("manager", "finance", "applicant")


def ensure_database(keep: bool) -> bool:
    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
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


def build_awards(slug: str, n_awards: int) -> None:  # noqa: PLR0915 - one builder, read top to bottom
    """A workspace with n_awards awards and their tranches and payments, bulk-inserted with the values
    the services write (committed / paid kept on the award and the tranche)."""
    from django.db import connection, transaction

    from grants.models import (
        Application,
        ApplicationStatus,
        Award,
        AwardStatus,
        CallStatus,
        Disbursement,
        DisbursementStatus,
        Rail,
        Tranche,
    )
    from orgs.models import Organisation
    from orgs.models.organisations import fold
    from relais.models import Membership, User
    from relais.services.tenancy import tenant_create
    from tests.factories import RegionFactory
    from tests.grants.factories import CallFactory

    rng = random.Random(slug)
    with transaction.atomic():
        tenant = tenant_create(name=f"Banc finances {n_awards}", slug=slug, reference_prefix="BF")
        regions = [RegionFactory(tenant=tenant, name=n) for n in ("Bamako", "Kayes", "Ségou", "Mopti", "Gao")]
        organisations = Organisation.objects.bulk_create([
            Organisation(tenant=tenant, name=f"Association de {regions[i % 5].name} n°{i}", acronym=f"F{i:05d}",
                         region=regions[i % 5],
                         search_name=fold(f"Association de {regions[i % 5].name} n°{i} F{i:05d}"))
            for i in range(max(10, n_awards // 10))], batch_size=2000)
        for role in ROLES:
            user, _ = User.objects.get_or_create(email=f"{role}@finance.bench",
                                                 defaults={"username": f"{role}@finance.bench",
                                                           "full_name": f"{role.title()} Banc"})
            Membership.objects.create(tenant=tenant, user=user, role=role,
                                      organisation=organisations[0] if role == "applicant" else None)
        second = User.objects.get_or_create(email="finance2@finance.bench",
                                            defaults={"username": "finance2@finance.bench"})[0]
        Membership.objects.create(tenant=tenant, user=second, role="finance")
        calls = [CallFactory(tenant=tenant, status=CallStatus.DECIDED, currency="EUR" if k == 9 else "XOF")
                 for k in range(10)]
        applications = Application.objects.bulk_create([
            Application(tenant=tenant, call=calls[i % 10], organisation=organisations[(i // 10) % len(organisations)],
                        title=f"Projet {i}", status=ApplicationStatus.APPROVED, reference=f"{slug}-A{i:06d}",
                        requested_amount=Decimal("5000000"), awarded_amount=Decimal("5000000"))
            for i in range(n_awards)], batch_size=5000)
        statuses = [AwardStatus.ACTIVE] * 6 + [AwardStatus.DRAFTED, AwardStatus.ISSUED, AwardStatus.SIGNED,
                                               AwardStatus.CLOSED]
        awards = []
        for i, app in enumerate(applications):
            currency = "EUR" if app.call_id == calls[9].pk else "XOF"
            amount = Decimal("12000") if currency == "EUR" else Decimal(rng.choice([3, 5, 8, 12]) * 1_000_000)
            status = statuses[(i // 10 + i) % 10]  # every call (and currency) has every status
            first_paid = status == AwardStatus.ACTIVE and i % 2 == 0
            paid = (amount * Decimal("0.4")) if first_paid else Decimal("0")
            awards.append(Award(tenant=tenant, application=app, call_id=app.call_id,
                                organisation_id=app.organisation_id, reference=f"{slug}-{i:06d}", title=app.title,
                                amount=amount, currency=currency, status=status, committed=paid, paid=paid))
        awards = Award.objects.bulk_create(awards, batch_size=5000)
        tranches = []
        for award in awards:
            for number, share in ((1, Decimal("0.4")), (2, Decimal("0.4")), (3, Decimal("0.2"))):
                done = award.paid if number == 1 else Decimal("0")
                tranches.append(Tranche(tenant=tenant, award=award, number=number, amount=award.amount * share,
                                        committed=done, paid=done,
                                        conditions=["agreement_signed", "due_diligence", "screening"]))
        tranches = Tranche.objects.bulk_create(tranches, batch_size=5000)
        finance = User.objects.get(email="finance@finance.bench")
        payments = []
        for k, tranche in enumerate(tranches):
            award = awards[k // 3]
            if award.status != AwardStatus.ACTIVE:
                continue
            if tranche.number == 1 and tranche.paid:
                payments.append((tranche, award, DisbursementStatus.PAID, Rail.BANK, tranche.amount))
            elif tranche.number == 2 and k % 7 == 0:
                payments.append((tranche, award, DisbursementStatus.AWAITING_APPROVAL, Rail.BANK, Decimal("1000")))
            elif tranche.number == 2 and k % 11 == 0:
                payments.append((tranche, award, DisbursementStatus.PROCESSING, Rail.HUB2, Decimal("1000")))
        Disbursement.objects.bulk_create([
            Disbursement(tenant=tenant, award=award, tranche=tranche, rail=rail, amount=amount,
                         currency=award.currency, paid_currency=award.currency, paid_amount=amount,
                         paid_on="2026-03-01", status=status, recorded_by=finance,
                         idempotency_key=f"{slug}-{tranche.pk}")
            for tranche, award, status, rail, amount in payments], batch_size=5000)
        # Pending payments count as committed (what disbursement_record keeps).
        with connection.cursor() as cursor:
            cursor.execute("""UPDATE grants_tranche t SET committed = t.committed + d.amount
                              FROM grants_disbursement d WHERE d.tranche_id = t.id AND d.tenant_id = %s
                              AND d.status IN ('awaiting_approval', 'processing')""", [tenant.pk])
            cursor.execute("""UPDATE grants_award a SET committed = a.committed + d.amount
                              FROM grants_disbursement d WHERE d.award_id = a.id AND d.tenant_id = %s
                              AND d.status IN ('awaiting_approval', 'processing')""", [tenant.pk])
            cursor.execute("UPDATE grants_award SET updated_at = now() - (id %% 5000) * interval '15 minutes' "
                           "WHERE tenant_id = %s", [tenant.pk])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def pages(slug: str) -> list[tuple[str, str, str]]:
    from grants.models import Call

    call = Call.objects.filter(tenant__slug=slug).order_by("id").first()
    return [
        ("finance page", "finance", "finance/"),
        ("finance page, one call", "finance", f"finance/?call={call.pk}"),
        ("finance page, EUR", "manager", "finance/?currency=EUR"),
        ("finance page, page 20", "finance", "finance/?page=20"),
        ("award list", "manager", "awards/"),
        ("award list, search", "manager", "awards/?q=segou"),
        ("award list", "applicant", "awards/"),
        ("dashboard", "finance", ""),
        ("dashboard", "manager", ""),
        ("dashboard", "applicant", ""),
    ]


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(repeat: int) -> dict[tuple[str, str], dict[str, tuple[int, float, float, int]]]:
    from django.db import connection
    from django.test import Client

    from relais.models import User

    small, large = SIZES
    results: dict[tuple[str, str], dict[str, tuple[int, float, float, int]]] = {}
    clients: dict[str, Client] = {}
    plans = {slug: pages(slug) for slug in SIZES}
    for index, (label, role, _path) in enumerate(plans[small]):
        if role not in clients:
            clients[role] = Client()
            clients[role].force_login(User.objects.get(email=f"{role}@finance.bench"))
        client = clients[role]
        urls = {slug: f"/{slug}/{plans[slug][index][2]}" for slug in (small, large)}
        times: dict[str, list[float]] = {slug: [] for slug in urls}
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
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "7")))
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
    if not (reused and Tenant.objects.filter(slug__in=list(SIZES)).count() == len(SIZES)):
        print("building the workspaces…", flush=True)
        for slug, n in SIZES.items():
            build_awards(slug, n)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    built = time.perf_counter()
    results = measure(args.repeat)
    small, large = SIZES
    print(f"\n{args.repeat} requests per page; server time in ms (in-process); HTML gzip in KiB at 10k awards")
    print("| page | role | queries 1k / 10k | p50 1k | p95 1k | p50 10k | p95 10k | ratio p50 | HTML gzip 10k |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for key, by_slug in results.items():
        q_small, p50_small, p95_small, _size = by_slug[small]
        q_large, p50_large, p95_large, size = by_slug[large]
        print(f"| {key[0]} | {key[1]} | {q_small} / {q_large} | {p50_small:.0f} | {p95_small:.0f} | {p50_large:.0f} "
              f"| {p95_large:.0f} | {p50_large / p50_small:.2f}× | {size / 1024:.1f} |")
    if not args.keep:
        drop_database()
    print(f"\nmeasured in {time.perf_counter() - built:.0f} s; total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
