"""Time the organisation import (preview + confirm) for 200 rows on SQLite.

Usage: /work/main/.venv/bin/python bench/import_organisations.py [ROWS]
Runs against a throw-away SQLite file, never the project's database.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_tmp = tempfile.TemporaryDirectory()
os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def main(count: int = 200) -> None:
    call_command("migrate", verbosity=0)
    from orgs import importing
    from orgs.demo import FOCUS_AREAS, MALI_REGIONS
    from orgs.models import FocusArea, Organisation, Region
    from relais.actor import Actor
    from relais.models import Membership, Role, Tenant, User

    tenant = Tenant.objects.create(name="Bench", slug="bench")
    user = User.objects.create(email="manager@bench.test", username="manager@bench.test")
    actor = Actor.of(Membership.objects.create(tenant=tenant, user=user, role=Role.MANAGER))
    for index, (name, zone) in enumerate(MALI_REGIONS):
        Region.objects.create(tenant=tenant, name=name, zone=zone, ordering=index)
    for fr, en in FOCUS_AREAS:
        FocusArea.objects.create(tenant=tenant, name=fr, name_en=en)
    regions = [name for name, _zone in MALI_REGIONS]
    areas = [fr for fr, _en in FOCUS_AREAS]
    lines = ["name,acronym,type,registration_number,registration_date,founding_year,region,regions_of_work,"
             "focus_areas,description,contact_name,contact_phone,contact_email,contact_consent"]
    for i in range(count):
        lines.append(
            f"Association pour la paix et le développement n°{i},APD{i},ngo,{i:04d}/MATCL,2015-03-{1 + i % 28:02d},"
            f"{1990 + i % 30},{regions[i % 10]},{regions[i % 10]};{regions[(i + 3) % 10]},"
            f"{areas[i % 9]};{areas[(i + 4) % 9]},Médiation et dialogue communautaire,Contact {i},"
            f"+223 70 00 {i:04d},contact{i}@example.org,oui"
        )
    content = ("\n".join(lines) + "\n").encode()

    start = time.perf_counter()
    batch = importing.import_batch_create(actor=actor, filename="bench.csv", content=content)
    results = importing.validate_rows(actor=actor, rows=batch.rows)
    preview = time.perf_counter() - start
    assert all(r.ok for r in results), [r.errors for r in results if not r.ok][:3]
    start = time.perf_counter()
    created = importing.import_batch_confirm(batch=batch, actor=actor)
    confirm = time.perf_counter() - start
    assert len(created) == count == Organisation.objects.filter(tenant=tenant).count()
    print(f"import of {count} organisations on SQLite: preview {preview:.2f} s, confirm {confirm:.2f} s, "
          f"total {preview + confirm:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
