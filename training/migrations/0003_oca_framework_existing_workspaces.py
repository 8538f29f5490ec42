"""Workspaces made before capacity assessments existed get the seeded framework too (new ones get it
from the tenant setup hook). A workspace that has a domain already is left alone."""

from django.db import migrations


def seed(apps, schema_editor):
    from training.oca_framework import FRAMEWORK, LEVEL_PATTERNS

    Tenant = apps.get_model("relais", "Tenant")
    Domain = apps.get_model("training", "AssessmentDomain")
    SubArea = apps.get_model("training", "AssessmentSubArea")
    Descriptor = apps.get_model("training", "LevelDescriptor")
    for tenant in Tenant.objects.all():
        if Domain.objects.filter(tenant=tenant).exists():
            continue
        for d_order, (d_fr, d_en, sub_areas) in enumerate(FRAMEWORK, start=1):
            domain = Domain.objects.create(tenant=tenant, name_fr=d_fr, name_en=d_en, order=d_order)
            for s_order, (s_fr, s_en, subject_fr, subject_en) in enumerate(sub_areas, start=1):
                sub_area = SubArea.objects.create(tenant=tenant, domain=domain, name_fr=s_fr, name_en=s_en,
                                                  order=s_order)
                Descriptor.objects.bulk_create(
                    Descriptor(tenant=tenant, sub_area=sub_area, level=level,
                               text_fr=LEVEL_PATTERNS[level][0].format(fr=subject_fr),
                               text_en=LEVEL_PATTERNS[level][1].format(en=subject_en))
                    for level in (1, 2, 3, 4))


class Migration(migrations.Migration):
    dependencies = [("training", "0002_assessments"), ("relais", "0004_audit_indexes")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
