"""Median render time of an application PDF over 20 renders (in-memory SQLite, French)."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0)
    from grants.documents import application_pdf
    from tests.grants.factories import (
        ApplicationFactory,
        BudgetLineFactory,
        EligibilityAnswerFactory,
        TimelineActivityFactory,
    )

    app = ApplicationFactory(summary="Résumé " * 80, context="Contexte " * 200, objectives="Objectif " * 100,
                             activities="Activité " * 150, risks="Risque " * 60, do_no_harm="Mesure " * 60,
                             women=120, men=100, youth=90)
    for _ in range(12):
        BudgetLineFactory(tenant=app.tenant, application=app)
        TimelineActivityFactory(tenant=app.tenant, application=app)
    for _ in range(4):
        EligibilityAnswerFactory(tenant=app.tenant, application=app)
    timings = []
    with translation.override("fr"):
        for _ in range(20):
            start = time.perf_counter()
            application_pdf(app)
            timings.append((time.perf_counter() - start) * 1000)
    print(f"application PDF: median {statistics.median(timings):.1f} ms over 20 renders "
          f"(min {min(timings):.1f}, max {max(timings):.1f})")


if __name__ == "__main__":
    main()
