"""Start-up with production settings, run as a real process with a real environment."""

import os
import subprocess

import pytest

from tests.repo import run_python

PRODUCTION_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "DJANGO_SETTINGS_MODULE": "hackperf.settings",
    "DEBUG": "false",
    "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-0123456789-abcdef",
    "ALLOWED_HOSTS": "ict-performance.hackney.example",
    "CSRF_TRUSTED_ORIGINS": "https://ict-performance.hackney.example",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/hackperf",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "SITE_URL": "https://ict-performance.hackney.example",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return python("manage.py", *args, env=env)


def python(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_python(*args, env=env, timeout=120)


class ProductionSettingsTests:
    def test_it_passes_the_deployment_checklist(self):
        result = manage("check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION_ENV)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "System check identified no issues (0 silenced)." in result.stdout

    @pytest.mark.parametrize(
        ("missing", "messages"),
        [
            ("SECRET_KEY", ["SECRET_KEY is not set"]),
            ("SITE_URL", ["hackperf.E001", "SITE_URL is not set"]),
            ("ALLOWED_HOSTS", ["ALLOWED_HOSTS is not set"]),
        ],
    )
    def test_it_refuses_to_start_without_what_production_needs(self, missing, messages):
        env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
        result = manage("check", env=env)
        assert result.returncode != 0
        for message in messages:
            assert message in result.stderr
        assert "Traceback" not in result.stderr

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("DATABASE_URL", "nonsense"),
            ("REDIS_URL", "localhost:6379"),
            ("DEBUG", "maybe"),
            ("EMAIL_PORT", "smtp"),
        ],
    )
    def test_it_stops_on_a_bad_value_naming_the_variable(self, name, value):
        result = manage("check", env={**PRODUCTION_ENV, name: value})
        assert result.returncode != 0
        assert f"{name}=" in result.stderr
        assert "Traceback" not in result.stderr

    def test_it_refuses_a_site_url_that_is_not_absolute(self):
        result = manage("check", env={**PRODUCTION_ENV, "SITE_URL": "ict-performance"})
        assert result.returncode != 0
        assert "hackperf.E002" in result.stderr


class BankHolidayFeedSettingTests:
    SHOW = "from django.conf import settings; print(repr(settings.BANK_HOLIDAYS_FEED_URL))"

    def test_production_reads_the_govuk_feed_by_default(self):
        result = manage("shell", "-c", self.SHOW, env=PRODUCTION_ENV)
        assert (
            result.stdout.strip().splitlines()[-1] == "'https://www.gov.uk/bank-holidays.json'"
        ), result.stderr

    def test_debug_reads_the_shipped_copy(self):
        result = manage("shell", "-c", self.SHOW, env={**PRODUCTION_ENV, "DEBUG": "true"})
        assert result.stdout.strip().splitlines()[-1] == "''", result.stderr

    def test_production_can_be_told_to_read_the_shipped_copy(self):
        env = {**PRODUCTION_ENV, "BANK_HOLIDAYS_FEED_URL": ""}
        result = manage("shell", "-c", self.SHOW, env=env)
        assert result.stdout.strip().splitlines()[-1] == "''", result.stderr


HEADERS_CHECK = """
import sys
import django
django.setup()
from django.templatetags.static import static
from django.test import Client
client = Client(HTTP_HOST="ict-performance.hackney.example", HTTP_X_FORWARDED_PROTO="https")
path = static(sys.argv[1][len("static:"):]) if sys.argv[1].startswith("static:") else sys.argv[1]
response = client.get(path, secure=True)
print(response.status_code)
for name, value in sorted(response.headers.items()):
    print(f"{name}: {value}")
"""


@pytest.fixture(scope="module")
def production_env(tmp_path_factory, django_db_setup, django_db_blocker):
    """Production settings, collected static files, and the test database (which the
    pages asked for here never read: they only open the request's transaction)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
    }
    result = manage("collectstatic", "--noinput", "-v0", env=env)
    assert result.returncode == 0, result.stderr
    return env


@pytest.mark.django_db
class ProductionHeadersTests:
    def headers(self, env, path):
        result = python("-c", HEADERS_CHECK, path, env=env)
        assert result.returncode == 0, result.stderr
        status, *lines = result.stdout.strip().splitlines()
        return int(status), dict(line.split(": ", 1) for line in lines)

    def test_static_files_stay_cacheable(self, production_env):
        status, headers = self.headers(production_env, "static:css/hackperf.css")
        assert status == 200
        assert "no-store" not in headers["Cache-Control"]
        assert "max-age=" in headers["Cache-Control"]

    def test_a_production_response_carries_the_security_headers(self, production_env):
        status, headers = self.headers(production_env, "/sign-in/")
        assert status == 200
        assert headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains; preload"
        )
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy
        assert "no-store" in headers["Cache-Control"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
