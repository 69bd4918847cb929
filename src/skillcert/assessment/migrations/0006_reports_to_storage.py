"""Error reports of older versions lived in ``$SKILLCERT_DATA_DIR/reports/batch-<id>``; they
move once into the file storage as ``reports/batch-<id>/<token>.xlsx``, so a link handed out
in the last seven days keeps working (the seven days count again from the move)."""

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import migrations


def move_reports(apps, schema_editor):
    legacy = Path(settings.DATA_DIR) / "reports"
    if not legacy.is_dir():
        return
    storage = storages["default"]
    for path in sorted(legacy.glob("batch-*/*.xlsx")):
        name = f"reports/{path.parent.name}/{path.name}"
        if not storage.exists(name):
            with path.open("rb") as source:
                storage.save(name, File(source))
        path.unlink()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0005_delete_batchtransition")]

    operations = [migrations.RunPython(move_reports, migrations.RunPython.noop, elidable=True)]
