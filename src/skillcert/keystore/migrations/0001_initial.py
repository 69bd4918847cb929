import django.db.models
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="StoredKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kid", models.CharField(max_length=64, unique=True, verbose_name="密钥编号")),
                ("purpose", models.CharField(max_length=64, verbose_name="用途")),
                ("algorithm", models.CharField(max_length=32, verbose_name="算法")),
                ("public_key", models.TextField(verbose_name="公钥")),
                ("private_nonce", models.BinaryField(max_length=12, verbose_name="私钥加密随机数")),
                ("private_sealed", models.BinaryField(verbose_name="加密的私钥")),
                ("created", models.DateTimeField(verbose_name="创建时间")),
                ("retired", models.DateTimeField(blank=True, null=True, verbose_name="停用时间")),
            ],
            options={
                "verbose_name": "签名密钥",
                "verbose_name_plural": "签名密钥",
                "ordering": ["created", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=django.db.models.Q(("retired__isnull", True)),
                        fields=("purpose",),
                        name="keystore_one_current_key_per_purpose",
                    )
                ],
            },
        ),
    ]
