from django.db import migrations, models

import skillcert.rules.clock


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="StateChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("workflow", models.CharField(max_length=32, verbose_name="流程")),
                ("object_id", models.PositiveBigIntegerField()),
                ("action", models.CharField(max_length=32, verbose_name="事项")),
                ("from_state", models.CharField(max_length=24)),
                ("to_state", models.CharField(max_length=24)),
                ("actor", models.CharField(max_length=150, verbose_name="办理人")),
                ("at", models.DateTimeField(default=skillcert.rules.clock.now, editable=False)),
                ("business_date", models.DateField()),
                ("note", models.TextField(blank=True)),
            ],
            options={
                "verbose_name": "办理记录",
                "verbose_name_plural": "办理记录",
                "ordering": ["pk"],
                "indexes": [
                    models.Index(fields=["workflow", "object_id"], name="state_change_object_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="CaseCounter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=4)),
                ("authority", models.CharField(max_length=4)),
                ("year", models.PositiveSmallIntegerField()),
                ("last_serial", models.PositiveIntegerField(default=0)),
            ],
            options={
                "verbose_name": "办件编号计数器",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "authority", "year"), name="case_counter_unique"
                    )
                ],
            },
        ),
    ]
