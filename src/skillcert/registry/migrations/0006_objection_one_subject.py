"""Objections: the string subject is gone (0005 filled the keys); exactly one key is set."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_objection_subject_links"),
    ]

    operations = [
        migrations.RemoveField(model_name="objection", name="subject"),
        migrations.RemoveField(model_name="objection", name="subject_id"),
        migrations.AddConstraint(
            model_name="objection",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("batch__isnull", True), ("filing__isnull", False)),
                    models.Q(("batch__isnull", False), ("filing__isnull", True)),
                    _connector="OR",
                ),
                name="objection_has_one_subject",
                violation_error_message="异议须且只能针对一个备案申请或一个认定批次",
            ),
        ),
    ]
