"""Grant agreement PDFs: render time per 4-page document, and a bulk run through the background task.

    .venv/bin/python bench/agreements.py [--renders 200] [--bulk 1000]

In-memory SQLite and a temporary private storage; French. Prints p50 / p95 per document and documents
per second for `--renders` renders of one 4-page agreement (its data read each time, as the service
does), then times `--bulk` agreements generated, stored and audited by grants.tasks.agreements_generate_bulk
with the immediate task backend (one process, one core). Goals (issue 11): p95 <= 150 ms; 1,000 well
under 5 minutes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
_PRIVATE = tempfile.TemporaryDirectory(prefix="relais-bench-agreements-")
os.environ["PRIVATE_MEDIA_ROOT"] = _PRIVATE.name

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402

TRANCHES = 6
BUDGET_LINES = 80


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def build_award():
    """One award as approval makes it, with enough budget lines, categories and tranches for 4 pages."""
    from decimal import Decimal

    from tests.grants.factories import (
        AwardBudgetLineFactory,
        AwardFactory,
        BudgetCategoryFactory,
        GrantSettingsFactory,
        TrancheFactory,
    )

    award = AwardFactory(title="Dialogue intercommunautaire et prévention des conflits à Ségou et San",
                         amount=Decimal("48000000"))
    GrantSettingsFactory(tenant=award.tenant)
    categories = [BudgetCategoryFactory(tenant=award.tenant, name_fr=f"Catégorie budgétaire n° {n} — activités",
                                        name_en=f"Budget category {n}") for n in range(1, 41)]
    for n in range(BUDGET_LINES):
        AwardBudgetLineFactory(tenant=award.tenant, award=award, category=categories[n % len(categories)],
                               description=f"Ligne {n}", amount=Decimal("600000"))
    for n in range(1, TRANCHES + 1):
        TrancheFactory(tenant=award.tenant, award=award, number=n, amount=Decimal("8000000"),
                       conditions=["agreement_signed", "due_diligence", "screening"])
    return award


def clone_awards(award, count: int) -> list[int]:
    """`count` drafted awards like `award` (their own application, tranches and budget), in bulk inserts."""
    from grants.models import Application, Award, AwardBudgetLine, Tranche
    from orgs.models import Organisation

    organisations = []
    for n in range(count):  # one application per call and CSO
        organisation = Organisation.objects.get(pk=award.organisation_id)
        organisation.pk, organisation.name = None, f"Association n° {n} pour la paix à Ségou"
        organisations.append(organisation)
    organisations = Organisation.objects.bulk_create(organisations)
    apps = []
    for n, organisation in enumerate(organisations):
        clone = Application.objects.get(pk=award.application_id)
        clone.pk, clone.organisation, clone.reference = None, organisation, f"BULK-{n:05d}"
        apps.append(clone)
    apps = Application.objects.bulk_create(apps)
    awards = []
    for n, app in enumerate(apps):
        clone = Award.objects.get(pk=award.pk)
        clone.pk, clone.application, clone.reference = None, app, f"AW-BULK-{n:05d}"
        clone.organisation = app.organisation
        awards.append(clone)
    awards = Award.objects.bulk_create(awards)
    tranches = list(Tranche.objects.filter(award=award))
    lines = list(AwardBudgetLine.objects.filter(award=award))
    new_tranches, new_lines = [], []
    for clone in awards:
        for tranche in tranches:
            new_tranches.append(Tranche(tenant_id=clone.tenant_id, award=clone, number=tranche.number,
                                        amount=tranche.amount, conditions=tranche.conditions))
        for line in lines:
            new_lines.append(AwardBudgetLine(tenant_id=clone.tenant_id, award=clone, category_id=line.category_id,
                                             description=line.description, amount=line.amount))
    Tranche.objects.bulk_create(new_tranches, batch_size=2000)
    AwardBudgetLine.objects.bulk_create(new_lines, batch_size=2000)
    return [clone.pk for clone in awards]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--bulk", type=int, default=1000)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    import io

    from pypdf import PdfReader

    from grants.documents.agreement import agreement_pdf
    from grants.models import AgreementDocument
    from grants.tasks import agreements_generate_bulk

    award = build_award()
    with translation.override("fr"):
        pages = len(PdfReader(io.BytesIO(agreement_pdf(award=award, language="fr"))).pages)
        timings, cpu = [], []
        for _ in range(options.renders):
            start, start_cpu = time.perf_counter(), time.process_time()
            agreement_pdf(award=award, language="fr")
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    total = sum(timings) / 1000
    # CPU time is what one core spends on a document; wall time also counts waiting for a busy machine.
    print(f"agreement PDF ({pages} pages, {TRANCHES} tranches, {BUDGET_LINES} budget lines), {options.renders} "
          f"renders; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  wall: p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
          f"max {max(timings):.1f} ms; {options.renders / total:.1f} documents/s")
    print(f"  CPU:  p50 {statistics.median(cpu):.1f} ms, p95 {percentile(cpu, 0.95):.1f} ms, "
          f"max {max(cpu):.1f} ms; {options.renders / (sum(cpu) / 1000):.1f} documents/s on one core")

    if options.bulk:
        ids = clone_awards(award, options.bulk)
        start, start_cpu = time.perf_counter(), time.process_time()
        result = agreements_generate_bulk.enqueue(tenant_id=award.tenant_id, award_ids=ids).return_value
        elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        stored = AgreementDocument.objects.filter(award_id__in=ids).count()
        print(f"bulk: {result['generated']} agreements generated, stored and audited through the task in "
              f"{elapsed:.1f} s wall, {elapsed_cpu:.1f} s CPU ({result['generated'] / elapsed:.1f} documents/s; "
              f"{stored} rows; refused {result['refused']}, missing {result['missing']}; load average "
              f"{os.getloadavg()[0]:.1f})")
    _PRIVATE.cleanup()


if __name__ == "__main__":
    main()
