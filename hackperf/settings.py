"""hackperf settings: one module, driven by environment variables.

Production differs from development only by its variables. Without ``DATABASE_URL`` the
site runs on SQLite and without ``REDIS_URL`` Celery uses kombu's filesystem transport, so
``make run`` works on a bare machine; tests and production use PostgreSQL and Redis.

https://docs.djangoproject.com/en/5.2/ref/settings/
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from hackperf.env import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HACKPERF_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. It is required when DEBUG is off: set SECRET_KEY "
            "(or SECRET_KEY_FILE) to a long random string, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    # Development only: a fixed key is fine where nothing is secret.
    SECRET_KEY = "django-insecure-development-only-key-never-used-when-debug-is-off"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set; it is required when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Serve static files through whitenoise under runserver too, as in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's own widget templates, found by FORM_RENDERER below beside ours.
    "django.forms",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "axes",
    "csp",
    "hackperf",
    "servicedesk",
    "infogov",
    "indicators",
]

# Widgets render with the project's templates too, so the GOV.UK date input
# (templates/includes/forms/_date_input.html) is found like any other template.
# https://docs.djangoproject.com/en/5.2/ref/forms/renderers/#templatessetting
# (hackperf.form_renderer: TemplatesSetting, with a select's options written in Python.)
FORM_RENDERER = "hackperf.form_renderer.FormRenderer"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A NUL in the address is a 400 that says so, before any view or query sees it.
    "hackperf.middleware.RejectNulMiddleware",
    # The site is internal: every view needs a login unless marked @login_not_required.
    # https://docs.djangoproject.com/en/5.2/ref/middleware/#django.contrib.auth.middleware.LoginRequiredMiddleware
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A live page's htmx refresh that finds the session ended goes to the sign-in page whole.
    "hackperf.middleware.HtmxSignInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Pages carrying personal data are never stored by a browser or proxy cache.
    "hackperf.middleware.NoStoreMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hackperf.urls"
WSGI_APPLICATION = "hackperf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hackperf.context_processors.navigation",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": database_from_url("DATABASE_URL", _database_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # `make run` serves several people and a Celery worker from one file. Each request
            # is a transaction; SQLite's default (deferred) one fails at once with "database
            # is locked" when it turns from reading to writing while another writes (three
            # people signing in together gave 500s). Immediate transactions take the write
            # lock when they begin and wait their turn for up to 20 s; WAL lets reads go on
            # beside a writer. https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-notes
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }
# Each request is one transaction: a view that fails half-way writes nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT compiles the period aggregates afresh on each call and spends more
    # time compiling than running them (period_metrics at 1M tickets: 1.2 s with, 0.96 s
    # without). https://www.postgresql.org/docs/15/jit-decision.html
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker ---------------------------------------------------------
REDIS_URL = redis_url("REDIS_URL", env_str("REDIS_URL")) if env_str("REDIS_URL") else ""

if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hackperf",
            # A Redis that stops answering (a host gone, packets dropped) costs a page half a
            # second per cache call, then it is drawn without the cache (hackperf.page_cache),
            # instead of waiting minutes on the operating system's TCP timeout.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    # A file cache is shared between the web process and the Celery worker of `make run`.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
        }
    }

# --- Celery --------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_TIMEZONE = "Europe/London"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Late acknowledgement: a task whose worker dies is redelivered, so every task is idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task not acknowledged within this time is redelivered; it must exceed the hard limit.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {"visibility_timeout": 3600}
else:
    # No Redis: kombu's filesystem transport carries messages between `make run`'s web
    # process, worker and beat through files under var/celery/.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Imports (hackperf.imports) ------------------------------------------------------------
# Uploaded exports are kept here, one file per import run, for the worker to read (and to
# show later what was imported). The web process and the worker must share it (a volume in
# docker-compose.yml).
IMPORT_ROOT = Path(env_str("IMPORT_ROOT", str(VAR_DIR / "imports")))
# A year's export of a big service desk runs to millions of rows: imports get far longer
# than other tasks. The hard limit must stay under the broker's visibility timeout (a task
# not acknowledged within it is delivered again, to a second worker).
IMPORT_TASK_SOFT_TIME_LIMIT = env_int("IMPORT_TASK_SOFT_TIME_LIMIT", 1800)
IMPORT_TASK_TIME_LIMIT = env_int("IMPORT_TASK_TIME_LIMIT", 1860)
if not 0 < IMPORT_TASK_SOFT_TIME_LIMIT < IMPORT_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "IMPORT_TASK_SOFT_TIME_LIMIT must be positive and below IMPORT_TASK_TIME_LIMIT"
    )
if REDIS_URL and IMPORT_TASK_TIME_LIMIT >= CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]:
    raise ImproperlyConfigured(
        "IMPORT_TASK_TIME_LIMIT must be below the broker's visibility timeout (3600 s)"
    )

# hackperf.imports.import_runs_sweep: a run still queued this many seconds after it was
# queued (or last queued again) is queued again: its message was lost, most often because the
# broker was down when the upload was saved. Re-queuing a run that is merely waiting behind a
# long import is harmless (the task does nothing for a run already taken or finished).
IMPORT_QUEUED_REQUEUE_AFTER = env_int("IMPORT_QUEUED_REQUEUE_AFTER", 15 * 60)
# ... and one still queued this long after it was queued is marked failed, saying why.
IMPORT_QUEUED_GIVE_UP_AFTER = env_int("IMPORT_QUEUED_GIVE_UP_AFTER", 24 * 3600)
# Days an upload's stored file is kept after its import finished (hackperf.imports
# .import_uploads_delete); the run's record, with the file's name, size and SHA-256, stays.
IMPORT_UPLOAD_KEEP_DAYS = env_int("IMPORT_UPLOAD_KEEP_DAYS", 30)
if not 0 < IMPORT_QUEUED_REQUEUE_AFTER < IMPORT_QUEUED_GIVE_UP_AFTER:
    raise ImproperlyConfigured(
        "IMPORT_QUEUED_REQUEUE_AFTER must be positive and below IMPORT_QUEUED_GIVE_UP_AFTER"
    )
if IMPORT_UPLOAD_KEEP_DAYS < 1:
    raise ImproperlyConfigured("IMPORT_UPLOAD_KEEP_DAYS must be at least 1")


def _beat(task: str, **when: Any) -> dict[str, Any]:
    """One beat entry: ``task`` at the times ``crontab(**when)`` gives (Europe/London)."""
    return {"task": task, "schedule": crontab(**when)}


# Static: stable names, each with its crontab in words. Times are Europe/London.
CELERY_BEAT_SCHEDULE = {
    # "* * * * *": every minute, so the status page can tell whether beat and a worker run.
    "hackperf-heartbeat": _beat("hackperf.tasks.heartbeat", minute="*"),
    # "* * * * *": every minute; also queued on the commit of every enqueue (hackperf.outbox).
    "hackperf-send-outbox": _beat("hackperf.tasks.send_outbox", minute="*"),
    # "*/5 * * * *": every five minutes; a lost import message is found within
    # IMPORT_QUEUED_REQUEUE_AFTER plus five minutes.
    "hackperf-sweep-import-runs": _beat("hackperf.tasks.sweep_import_runs", minute="*/5"),
    # "45 3 * * *": 03:45 daily, when nobody uploads.
    "hackperf-delete-old-uploads": _beat("hackperf.tasks.delete_old_uploads", minute=45, hour=3),
    # "15 6 * * 1": Mondays 06:15; new bank holidays are announced weeks ahead at best.
    "hackperf-refresh-bank-holidays": _beat(
        "hackperf.tasks.refresh_bank_holidays", minute=15, hour=6, day_of_week=1
    ),
    # "0 7 * * 1-5": 07:00 Monday to Friday (the task itself skips bank holidays).
    "infogov-escalate-due-cases": _beat(
        "infogov.tasks.escalate_due_cases", minute=0, hour=7, day_of_week="mon-fri"
    ),
    # "10 0 * * *": 00:10 daily, the day just ended.
    "indicators-snapshot-daily": _beat("indicators.tasks.snapshot_daily", minute=10, hour=0),
    # "30 0 * * 1": Mondays 00:30; retakes the latest fortnight end (idempotent) every week.
    "indicators-snapshot-fortnightly": _beat(
        "indicators.tasks.snapshot_fortnightly", minute=30, hour=0, day_of_week=1
    ),
    # "0 8 * * 1-5": 08:00 Monday to Friday; the task acts only on the month's first working
    # day (bank holidays skipped) and surveys the month just ended.
    "servicedesk-survey-monthly-sample": _beat(
        "servicedesk.tasks.survey_monthly_sample", minute=0, hour=8, day_of_week="mon-fri"
    ),
    # "30 7 * * *": 07:30 daily; reminders of hand-entered indicator values due or late (each
    # once ever: the outbox's natural key), so a missed day is caught up the next.
    "indicators-remind-data-due": _beat("indicators.tasks.remind_data_due", minute=30, hour=7),
    # "0 6 2 * *": 06:00 on the 2nd, the month just ended.
    "indicators-compute-last-month": _beat(
        "indicators.tasks.compute_last_month", minute=0, hour=6, day_of_month=2
    ),
}

# The feed the weekly job refreshes bank holidays from. With production settings GOV.UK's
# (https://www.gov.uk/bank-holidays.json), so a one-off holiday proclaimed at short notice is
# learnt without anyone remembering; with DEBUG (make run) the copy shipped in
# hackperf/data/, since nothing is fetched from another site there. Set it empty to use the
# shipped copy in production too.
GOVUK_BANK_HOLIDAYS_URL = "https://www.gov.uk/bank-holidays.json"
BANK_HOLIDAYS_FEED_URL = env_str("BANK_HOLIDAYS_FEED_URL", "" if DEBUG else GOVUK_BANK_HOLIDAYS_URL)

# --- Authentication ------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a sign-in from a locked-out account or address before the
# password is checked. https://django-axes.readthedocs.io/en/latest/2_installation.html
AUTHENTICATION_BACKENDS = [
    "hackperf.auth.ThrottledSignInBackend",
    # Django's ModelBackend, its permission queries built once (hackperf/auth.py).
    "hackperf.auth.PermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in throttling (django-axes) ------------------------------------------------------
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
# After AXES_FAILURE_LIMIT failed sign-ins an account is locked, and so, separately, is the
# client address they came from, for AXES_COOLOFF_TIME or until the DMT unlocks it on the
# people and roles page. Attempts are kept in the database, so a stopped Redis changes nothing.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "hackperf.client_address.client_address"
AXES_USERNAME_CALLABLE = "hackperf.auth.sign_in_username"
AXES_LOCKOUT_CALLABLE = "hackperf.views.signin_locked_out"
# Do not write a row for every successful sign-in (AccessLog); failures are what matter.
AXES_DISABLE_ACCESS_LOG = True

# --- The client's address behind the council's proxy ------------------------------------
# How many proxies in front of gunicorn append to X-Forwarded-For (the council's TLS proxy:
# 1). The client is the address that many entries from the right; 0 trusts only REMOTE_ADDR,
# since anything else in the header is whatever the client wrote. Used by sign-in
# throttling and the survey rate limit alike (hackperf.client_address).
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if not DEBUG and env_bool("BEHIND_TLS_PROXY", True) else 0
)

# --- Internationalisation and time ---------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT: Path | None = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names in production (needs collectstatic); plain in development.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# --- E-mail --------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are both on; choose one")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ICT performance <ict-performance@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The outbox (hackperf.outbox): a claim older than this (seconds) is a sender that died and is
# taken over; a message is retried with doubling waits from OUTBOX_RETRY_BASE up to
# OUTBOX_RETRY_MAX seconds, and failed for good after OUTBOX_MAX_ATTEMPTS attempts.
OUTBOX_CLAIM_TIMEOUT = env_int("OUTBOX_CLAIM_TIMEOUT", 600)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_RETRY_BASE = env_int("OUTBOX_RETRY_BASE", 60)
OUTBOX_RETRY_MAX = env_int("OUTBOX_RETRY_MAX", 3600)

# --- Security ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
# Django's database sessions, each request's read by SQL built once (hackperf/sessions.py).
SESSION_ENGINE = "hackperf.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)  # one working day
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp 4): only this site's own files, no inline script and no
# inline <style>; chart data travels in <script type="application/json"> blocks, which are
# data, not script. Inline style *attributes* are allowed because plotly.js lays out its SVG
# with them (style-src-attr), which cannot run code.
# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The container health check calls /healthz over plain HTTP from inside the container.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY", True):
        # gunicorn sits behind the council's TLS-terminating proxy, which sets this header.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Service desk --------------------------------------------------------------------------
# How often a queue page refreshes itself, and how many reassignments make "multiple".
SERVICEDESK_REFRESH_SECONDS = env_int("SERVICEDESK_REFRESH_SECONDS", 60)
SERVICEDESK_MULTIPLE_REASSIGNMENTS = env_int("SERVICEDESK_MULTIPLE_REASSIGNMENTS", 2)
# Whether a queue page's tickets part, once drawn, is served again for the rest of its minute
# while none of the queue's tickets changes (servicedesk.queue_cache). Off, every view draws
# it: what `make bench` times, and `SERVICEDESK_KEEP_QUEUE_PARTS=false make load` compares.
SERVICEDESK_KEEP_QUEUE_PARTS = env_bool("SERVICEDESK_KEEP_QUEUE_PARTS", True)
# The directorates a ticket's customer may belong to (the "log a ticket" form's choice). A
# setting, not infogov's Directorate model: servicedesk never imports infogov (DESIGN.md), and
# a ticket keeps the directorate's name as text, as imports bring it.
SERVICEDESK_DIRECTORATES = (
    "Adults, Health and Integration",
    "Children and Education",
    "Climate, Homes and Economy",
    "Finance and Corporate Resources",
    "Chief Executive's",
)

# --- Satisfaction surveys -------------------------------------------------------------------
SURVEY_SAMPLE_RATE = env_str("SURVEY_SAMPLE_RATE", "0.10")  # exact decimal, 0 < rate <= 1
# Key of the sample's keyed hash; set it so rotating SECRET_KEY keeps a month's sample stable.
SURVEY_SAMPLING_KEY = env_str("SURVEY_SAMPLING_KEY")

# --- Information governance ----------------------------------------------------------------
# Escalations (defaults in infogov.selectors.DEFAULT_ESCALATION_LEVELS; None switches a level
# off). Offsets are England and Wales working days before the due date; None = once overdue.
INFOGOV_ESCALATION_LEVELS = {
    "t_minus_5": {"working_days_before": 5, "recipients": ["case_officer", "service_lead"]},
    "t_minus_2": {"working_days_before": 2, "recipients": ["director"]},
    "overdue": {"working_days_before": None, "recipients": ["group_director"]},
}
# "How we compare": the default peer group (infogov.peers.comparison.PEER_GROUPS:
# london_boroughs, english_single_tier, nearest_15) and our own name in the peer sets, which
# is left out of the peers (Hackney is not in the 2017 set).
INFOGOV_PEER_GROUP = env_str("INFOGOV_PEER_GROUP", "london_boroughs")
INFOGOV_PEER_OWN_NAME = env_str("INFOGOV_PEER_OWN_NAME", "Hackney Borough Council")
# Open data (indicators.publication): the name in the published rows, and the smallest count
# shown (smaller ones, from 1, are suppressed).
INFOGOV_PUBLICATION_BODY = env_str("INFOGOV_PUBLICATION_BODY", "London Borough of Hackney")
INFOGOV_PUBLICATION_MIN_CELL = env_int("INFOGOV_PUBLICATION_MIN_CELL", 5)
# Readings of the law: keyword arguments of infogov.deadlines.DeadlineSettings ({} = defaults).
INFOGOV_DEADLINE_SETTINGS: dict[str, object] = {}
# Base of absolute links in e-mails, e.g. https://ict-performance.hackney.gov.uk. Required
# when DEBUG is off (the check hackperf.checks.site_url_check says so).
SITE_URL = env_str("SITE_URL", "")

# --- DMT review ----------------------------------------------------------------------------
# Thresholds on the review's first screen (the codes of indicators.review_headline.HEADLINE): a
# ceiling for a figure where lower is better, a floor for one where higher is (closures per
# week, the self-service share). A figure without one shows no threshold. Overdue FOI, EIR and
# SAR cases are statutory breaches: the DMT's limit is none.
REVIEW_THRESHOLDS: dict[str, int | float] = {"infogov.overdue": 0}
# A hand-entered indicator's month is due by this day of the month after; its owner is
# reminded from the 1st, and again once it is late (indicators.reminders).
INDICATORS_DATA_DUE_DAY = env_int("INDICATORS_DATA_DUE_DAY", 10)

# --- Django tables -------------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "django_tables2/govuk.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "govuk-table lbh-table"}

# --- Logging -------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
