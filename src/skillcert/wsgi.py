"""WSGI entry point for gunicorn (``skillcert serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillcert.settings")
application = get_wsgi_application()
