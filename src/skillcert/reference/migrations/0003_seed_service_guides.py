"""The seven service guides (办事指南) of the notice, as first published (only those missing)."""

from django.db import migrations

from skillcert.reference.guides import GUIDES


def seed(apps, schema_editor):
    ServiceGuide = apps.get_model("reference", "ServiceGuide")
    existing = set(ServiceGuide.objects.values_list("slug", flat=True))
    for guide in GUIDES:
        if guide["slug"] not in existing:
            ServiceGuide.objects.create(**guide)


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0002_service_guide_site_settings"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
