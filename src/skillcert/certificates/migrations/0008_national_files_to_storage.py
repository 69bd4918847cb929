"""National export files of older versions lived in ``$SKILLCERT_DATA_DIR/national``; they move
once into the file storage as ``national/<file_name>`` (the names in the database stay valid).
The old ``national/outbox`` folder is left alone: what is in it was handed over already."""

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import migrations


def move_exports(apps, schema_editor):
    legacy = Path(settings.DATA_DIR) / "national"
    if not legacy.is_dir():
        return
    storage = storages["default"]
    for path in sorted(legacy.glob("*.xlsx")):
        name = f"national/{path.name}"
        if not storage.exists(name):
            with path.open("rb") as source:
                storage.save(name, File(source))
        path.unlink()


class Migration(migrations.Migration):
    dependencies = [("certificates", "0007_segmentrequest")]

    operations = [migrations.RunPython(move_exports, migrations.RunPython.noop, elidable=True)]
