"""Settings for the test suite: the product's settings with fast, isolated parts."""

import os
import tempfile

# Never the developer's ./var: each test process gets a data directory of its own.
os.environ["SKILLCERT_DATA_DIR"] = tempfile.mkdtemp(prefix="skillcert-test-")
os.environ.setdefault("SKILLCERT_SECRET_KEY", "test-only-secret-key-not-for-production")

from skillcert.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in production
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (WhiteNoise expects it)
# Jobs run inside the request that starts them; the job runner's own tests use the queue.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# PostgreSQL: the flush between transactional tests truncates the audit tables, which their
# trigger refuses unless the owner's session asks for it (audit migration 0005).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (
        _options.get("options", "") + " -c skillcert.allow_audit_truncate=on"
    ).strip()
