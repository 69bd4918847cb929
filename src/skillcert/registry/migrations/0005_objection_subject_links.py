"""Objections name what they object to by a foreign key: ``filing`` (already there) or the new
``batch``, exactly one of the two. The string ``subject`` ("filing" or "batch") and the bare
``subject_id`` it qualified are filled into the keys here, and dropped by the next migration
(apart: PostgreSQL alters no table with the row updates' checks still pending).
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def subject_links(
    subject: str, subject_id: int | None, filing_id: int | None
) -> tuple[int | None, int | None]:
    """``(filing_id, batch_id)`` of an objection stored as ``subject``/``subject_id``; raises
    ValueError for a row that names no subject (the constraint would refuse it)."""
    if subject == "batch":
        if subject_id is None:
            raise ValueError("an objection to a batch without the batch's id")
        return None, subject_id
    if subject == "filing":
        if filing_id is None:
            raise ValueError("an objection to a filing case without the case")
        return filing_id, None
    raise ValueError(f"an objection to an unknown subject {subject!r}")


def subject_of(filing_id: int | None, batch_id: int | None) -> tuple[str, int | None]:
    """The reverse: ``(subject, subject_id)`` as stored before."""
    if batch_id is not None:
        return "batch", batch_id
    return "filing", None


def fill_links(apps: Any, schema_editor: Any) -> None:
    Objection = apps.get_model("registry", "Objection")
    Batch = apps.get_model("assessment", "Batch")
    batches = set(Batch.objects.values_list("pk", flat=True))
    wrong = []
    for objection in Objection.objects.all().only("pk", "subject", "subject_id", "filing_id"):
        try:
            filing_id, batch_id = subject_links(
                objection.subject, objection.subject_id, objection.filing_id
            )
        except ValueError as exc:
            wrong.append(f"#{objection.pk}: {exc}")
            continue
        if batch_id is not None and batch_id not in batches:
            wrong.append(f"#{objection.pk}: batch {batch_id} does not exist")
            continue
        Objection.objects.filter(pk=objection.pk).update(filing_id=filing_id, batch_id=batch_id)
    if wrong:
        raise RuntimeError("objections without a subject, fix them first: " + "; ".join(wrong))


def fill_subjects(apps: Any, schema_editor: Any) -> None:
    Objection = apps.get_model("registry", "Objection")
    for objection in Objection.objects.all().only("pk", "filing_id", "batch_id"):
        subject, subject_id = subject_of(objection.filing_id, objection.batch_id)
        Objection.objects.filter(pk=objection.pk).update(subject=subject, subject_id=subject_id)


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0005_delete_batchtransition"),
        ("registry", "0004_delete_filingtransition"),
    ]

    operations = [
        migrations.AddField(
            model_name="objection",
            name="batch",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="objections",
                to="assessment.batch",
            ),
        ),
        migrations.RunPython(fill_links, fill_subjects),
    ]
