"""WSGI entry point for gunicorn (``gunicorn hackperf.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hackperf.settings")

application = get_wsgi_application()
