"""三员分立: the single ``admin`` role becomes ``system_admin`` (the system administrator).

Every stored ``admin`` is rewritten; ``admin`` stays accepted as an input alias
(``accounts.roles.ROLE_ALIASES``) but is no longer a stored value or a choice.
"""

from django.db import migrations, models


def admin_to_system_admin(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(role="admin").update(role="system_admin")


def system_admin_to_admin(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(role="system_admin").update(role="admin")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_three_administrators"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                choices=[
                    ("organization", "评价组织"),
                    ("city_bureau", "市人社局"),
                    ("city_center", "市鉴定中心"),
                    ("province_dept", "省人社厅"),
                    ("province_center", "省鉴定中心"),
                    ("inspector", "督查员"),
                    ("system_admin", "系统管理员"),
                    ("security_admin", "安全管理员"),
                    ("audit_admin", "审计管理员"),
                    ("holder", "持证人"),
                ],
                max_length=32,
                verbose_name="角色",
            ),
        ),
        migrations.RunPython(admin_to_system_admin, system_admin_to_admin),
    ]
