"""Time the ranking page of one call (first page, as a manager opens it) for growing numbers of applications.

Usage: .venv/bin/python bench/ranking.py [SIZES] [REPEATS]
  SIZES: comma-separated numbers of applications (default 150,1500); REPEATS: requests per size (default 7).
With DATABASE_URL set (e.g. postgres://postgres@127.0.0.1:5432/relais_ranking) the figures come from
PostgreSQL, in a throw-away test database (test_<name>, dropped at the end); without it, SQLite in memory.
Each application has 3 reviewers (about 10 % drafts), 4 criteria scored; prints p50, min and the gzip
size of the page.
"""

from __future__ import annotations

import gzip
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("VAR_DIR", "/tmp/relais-bench-var")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402


def build_call(tenant, organisations, reviewers, size: int):
    from grants.models import Application, ApplicationStatus, Call, Review, ReviewScore, ReviewStatus, RubricCriterion
    from grants.services.ranking import ranking_facts_refresh

    rng = random.Random(size)
    now = timezone.now()
    call = Call.objects.create(tenant=tenant, title_fr=f"Appel {size}", envelope=Decimal(size) * 4_000_000,
                               currency="XOF", max_grant=Decimal(20_000_000), opens_at=now, closes_at=now,
                               status="closed")
    criteria = [RubricCriterion.objects.create(tenant=tenant, call=call, name_fr=f"C{i}", weight=w)
                for i, w in enumerate((Decimal(3), Decimal(2), Decimal("1.5"), Decimal(1)))]
    apps = Application.objects.bulk_create([
        Application(tenant=tenant, call=call, organisation=organisations[i], status=ApplicationStatus.DECISION_PENDING,
                    title=f"Projet de dialogue intercommunautaire n°{i}", reference=f"B{call.pk}-{i:05d}",
                    requested_amount=Decimal(rng.randrange(1_000, 20_000)) * 1000) for i in range(size)
    ], batch_size=2000)
    reviews = Review.objects.bulk_create([
        Review(tenant=tenant, application=a, reviewer=r,
               status=ReviewStatus.DRAFT if rng.random() < 0.1 else ReviewStatus.SUBMITTED)
        for a in apps for r in reviewers
    ], batch_size=2000)
    ReviewScore.objects.bulk_create([
        ReviewScore(tenant=tenant, review=r, criterion=c, score=rng.randrange(0, 6)) for r in reviews for c in criteria
    ], batch_size=5000)
    ranking_facts_refresh(call_id=call.pk)  # what the review services store as they go
    return call


def main(sizes: list[int], repeats: int) -> None:
    from orgs.models import Organisation
    from relais.models import Membership, Role, Tenant, User

    settings.ALLOWED_HOSTS = ["*"]
    tenant = Tenant.objects.create(name="Bench", slug="bench")
    manager = User.objects.create(email="manager@bench.test", username="manager@bench.test")
    Membership.objects.create(tenant=tenant, user=manager, role=Role.MANAGER)
    reviewers = []
    for i in range(3):
        user = User.objects.create(email=f"r{i}@bench.test", username=f"r{i}@bench.test")
        Membership.objects.create(tenant=tenant, user=user, role=Role.REVIEWER)
        reviewers.append(user)
    organisations = Organisation.objects.bulk_create([
        Organisation(tenant=tenant, name=f"Association pour la paix n°{i}", acronym=f"APP{i}")
        for i in range(max(sizes))
    ], batch_size=2000)
    client = Client()
    client.force_login(manager)
    print(f"{connection.vendor}: ranking page, first page, {repeats} requests per size")
    print(f"{'applications':>12} {'p50 ms':>8} {'min ms':>8} {'HTML gzip':>10}")
    for size in sizes:
        call = build_call(tenant, organisations, reviewers, size)
        url = f"/bench/calls/{call.pk}/ranking/"
        client.get(url)  # warm up
        timings = []
        for _ in range(repeats):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        print(f"{size:>12} {statistics.median(timings):>8.0f} {min(timings):>8.0f} "
              f"{len(gzip.compress(response.content, 6)):>10}")


if __name__ == "__main__":
    sizes = [int(n) for n in (sys.argv[1] if len(sys.argv) > 1 else "150,1500").split(",")]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        main(sizes, repeats)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
