"""Audit log page at two sizes: median time (p50 of 15 views) and gzip weight, per filter.

Default: in-memory SQLite, 2,000 then 20,000 events (a few seconds). For the real check, a scratch
PostgreSQL database and 220,000 events, with the query plans:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais_audit AUDIT_EVENTS=220000 AUDIT_EXPLAIN=1 \\
        .venv/bin/python bench/audit_log.py

The database is emptied of audit events first: never point it at a database you care about.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

ACTIONS = ["application.submit", "application.approve", "application.section_saved", "call.updated",
           "organisation.updated", "membership.role_changed", "review.submit", "screening.ran"]


def build(total: int, world: dict) -> None:
    """Grow the audit table to `total` events: 90 % in the measured tenant, 10 % in another one."""
    from relais.models import AuditEvent

    have = AuditEvent.objects.count()
    field = AuditEvent._meta.get_field("created_at")
    field.auto_now_add = False  # type: ignore[attr-defined]  # spread events over two years
    start = timezone.now() - dt.timedelta(days=730)
    step = dt.timedelta(days=730) / max(total, 1)
    rows = []
    for i in range(have, total):
        tenant, users, targets = world["a"] if i % 10 else world["b"]
        action = ACTIONS[i % len(ACTIONS)]
        target_type, target_id = targets[i % len(targets)]
        before = {"status": "decision_pending"} if action == "application.approve" else {}
        after = {"status": "approved", "awarded_amount": "6000000"} if action == "application.approve" \
            else {"section": "budget"}
        rows.append(AuditEvent(tenant=tenant, actor=users[i % len(users)], action=action, target_type=target_type,
                               target_id=target_id, before=before, after=after, created_at=start + step * i))
        if len(rows) == 5000:
            AuditEvent.objects.bulk_create(rows)
            rows = []
    AuditEvent.objects.bulk_create(rows)
    field.auto_now_add = True  # type: ignore[attr-defined]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE relais_auditevent")


def world_of(slug: str) -> tuple:
    from relais.models import Membership, Role
    from tests.factories import MembershipFactory, OrganisationFactory, TenantFactory
    from tests.grants.factories import ApplicationFactory, CallFactory

    tenant = TenantFactory(slug=slug, name=slug)
    members = [MembershipFactory(tenant=tenant, role=Role.MANAGER, user__email=f"m{i}@{slug}.bench")
               for i in range(8)]
    call = CallFactory(tenant=tenant)
    apps = [ApplicationFactory(tenant=tenant, call=call, organisation=OrganisationFactory(tenant=tenant),
                               reference=f"{slug[:2].upper()}-2026-{i:03}") for i in range(40)]
    targets = [("grants.application", str(a.pk)) for a in apps] + [("grants.call", str(call.pk))] + [
        ("orgs.organisation", str(a.organisation_id)) for a in apps[:10]] + [
        ("relais.membership", str(m.pk)) for m in members]
    assert all(isinstance(m, Membership) for m in members)
    return tenant, [m.user for m in members], targets


def p50(client: Client, url: str, runs: int = 15) -> tuple[float, int]:
    client.get(url)  # warm
    times, size = [], 0
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        size = len(gzip.compress(response.content))
    return statistics.median(times), size


def explain(world: dict) -> None:
    from relais.actor import Actor
    from relais.models import Membership
    from relais.selectors import audit_search

    tenant, users, targets = world["a"]
    actor = Actor.of(Membership.objects.get(tenant=tenant, user=users[0]))
    cases = {
        "newest first": {},
        "by actor text": {"who": users[3].email},
        "by action": {"action": "application.approve"},
        "by object": {"target_type": targets[0][0], "target": targets[0][1]},
        "by dates": {"date_from": timezone.localdate() - dt.timedelta(days=400),
                     "date_to": timezone.localdate() - dt.timedelta(days=390)},
    }
    for name, filters in cases.items():
        query = audit_search(actor=actor, **filters)[:51]
        print(f"\n--- {name}\n{query.explain(analyze=True, costs=False, timing=True)}")


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    from relais.models import AuditEvent, Membership

    AuditEvent.objects.all().delete()
    world = {"a": world_of("bench-a"), "b": world_of("bench-b")}
    total = int(os.environ.get("AUDIT_EVENTS", "20000"))
    tenant, users, targets = world["a"]
    client = Client()
    client.force_login(Membership.objects.filter(tenant=tenant).first().user)
    base = f"/{tenant.slug}/audit/"
    pages = {"page 1": base, "page 20": base + "?page=20", "action": base + "?action=application.approve",
             "actor": base + f"?who={users[2].email}", "object": base + f"?target_type={targets[0][0]}&target="
             + targets[0][1]}
    results = {}
    for size in (total // 10, total):
        build(size, world)
        results[size] = {name: p50(client, url) for name, url in pages.items()}
    small, large = total // 10, total
    print(f"audit log on {connection.vendor}: p50 ms at {small:,} → {large:,} events (gzip bytes at {large:,})")
    for name in pages:
        (a, _), (b, weight) = results[small][name], results[large][name]
        print(f"  {name:8} {a:7.1f} → {b:7.1f} ms  ×{b / a:4.2f}  {weight:,} B")
    if os.environ.get("AUDIT_EXPLAIN") and connection.vendor == "postgresql":
        explain(world)


if __name__ == "__main__":
    main()
