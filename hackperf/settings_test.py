"""Test settings: the real settings, with only what makes tests fast or isolated changed.

Tests run on PostgreSQL and Redis (``make test`` sets ``DATABASE_URL`` and ``REDIS_URL``);
this module does not swap them for fakes.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
# Required when DEBUG is off (hackperf.checks): e-mails carry absolute links.
os.environ.setdefault("SITE_URL", "http://testserver")

from hackperf.settings import *  # noqa: E402,F403
from hackperf.settings import STORAGES  # noqa: E402

# Hashing passwords slowly is the point in production and a waste in tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests use the test client and a plain-HTTP live server.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# No collectstatic in tests: plain static storage, files found in static/.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The machine running tests has no internet: the weekly refresh reads the shipped copy, and
# tests that fetch serve a feed from a local HTTP server.
BANK_HOLIDAYS_FEED_URL = ""

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Nothing is collected in tests (the live server serves static/ through the finders), so
# whitenoise has no STATIC_ROOT to scan.
STATIC_ROOT = None
