"""Settings of the real Celery worker the outbox fault tests start: the test settings, with
real SMTP to the test's sink instead of the in-memory backend."""

import os

from hackperf.settings_test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["OUTBOX_SINK_PORT"])
EMAIL_TIMEOUT = 30
