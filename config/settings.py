"""Confer's one settings module, driven by environment variables.

With no environment at all it is a local development set-up: DEBUG on, SQLite in
``db.sqlite3``, tasks run in-process. Production sets ``DEBUG=0``, ``SECRET_KEY``,
``ALLOWED_HOSTS`` and ``DATABASE_URL`` (PostgreSQL); see README.md.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    "django_tasks_db",
    "crontask",
    "core",
    "audit",
    "notifications",
    "participants",
    "meetings",
    "minutes",
    "demo",
]

MIDDLEWARE = [
    "config.requests.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.sessions.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.encoding.RefuseUndecodableText",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "participants.middleware.RequireStaffMfaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.csp",
                "participants.context_processors.roles",
            ],
        },
    },
    {
        # Plain-text email: the same templates, never HTML-escaped ("O'Brien & Sons" is
        # written as it is, not "O&#x27;Brien &amp; Sons"). notifications.services.render_text.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# SQLite by default (nothing to start); PostgreSQL via DATABASE_URL=postgres://...
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        # A kept connection is checked before each request reuses it, so after a database
        # restart the next request reconnects instead of failing (no restart of Confer).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server, a worker and the tests share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
elif (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") == "1"
):
    # PostgreSQL plans a statement afresh each time unless it is prepared. Binding the
    # parameters in the server lets psycopg prepare each statement a connection has run
    # five times (the gate every meeting page asks, the user, the audit insert): their
    # parsing and planning is then done once per connection. A PgBouncer in transaction
    # mode needs max_prepared_statements (1.21+) for this; without it set this to 0.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- Sign-in (django-allauth) -----------------------------------------------------------
# Email is the login name. Nobody signs up: administrators create staff accounts, and
# family members and professionals get an account when they are invited to a meeting.
# Staff must set up TOTP before anything else (participants.middleware); family members
# may sign in with a code emailed to them instead of a password.
ACCOUNT_ADAPTER = "participants.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Confer: "
# The sixth wrong password for one account within five minutes is refused.
ACCOUNT_RATE_LIMITS = {"login_failed": "20/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Confer"
# One step (30 seconds) of clock drift either way: a correct code typed as its step ends,
# or from a phone whose clock is a little out, is accepted. Each code still works once.
MFA_TOTP_TOLERANCE = 1
MFA_FORMS = {
    "authenticate": "participants.forms.AuthenticateForm",
    "reauthenticate": "participants.forms.ReauthenticateForm",
}
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "start"

# Sessions end after SESSION_IDLE_MINUTES without a request (to within a minute: see
# config/sessions.py, which saves them when they change and otherwise once a minute at
# most), and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The rate limits and the sessions live in the cache, so it must be shared by every app
# server. With REDIS_URL set (production), both are in Redis: a request that only refreshes
# the idle timer writes nothing to PostgreSQL. Without it (local development, tests), the
# database holds both (`manage.py createcachetable` makes the cache table).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # config.cache.RedisCache: Django's, sharing one Redis client per pool (see there).
    CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}}
    # Losing Redis signs everyone out, nothing more: no record lives in a session.
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "confer_cache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# Sentence case for what django-allauth writes in Title Case ("Sign in"): see the .po file.
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Jersey")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Background work: in-process by default (tests, demo); the database queue in production
# (TASK_BACKEND=database, then run `manage.py db_worker`).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if os.environ.get("TASK_BACKEND") == "database"
        else "django.tasks.backends.immediate.ImmediateBackend",
    }
}

# The schedule, as cron lines in TIME_ZONE, read by `manage.py crontask` (one process; with
# REDIS_URL a Redis lock makes a second scheduler wait as a standby instead of doubling).
# The scheduler only enqueues; the db_worker processes run the tasks.
CONFER_SWEEP_CRON = os.environ.get("CONFER_SWEEP_CRON", "15 6 * * *")
CONFER_OUTBOX_RETRY_CRON = os.environ.get("CONFER_OUTBOX_RETRY_CRON", "*/10 * * * *")
CRONTASK = {"REDIS_URL": REDIS_URL or None}

# Django 6.1 mailers. Locally, email is printed to the console; set EMAIL_HOST to send it.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Confer <confer@example.org>")

# --- Security headers -----------------------------------------------------------------
# A Content Security Policy with no inline script anywhere (Django 6's built-in CSP).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

FORM_RENDERER = "config.forms.GovukFormRenderer"

# --- Confer's own settings -------------------------------------------------------------

# Whose public holidays count as non-working days: JE (Jersey), GB-ENG (England & Wales),
# GB-SCT (Scotland) or GG (Guernsey).
CONFER_TERRITORY = os.environ.get("CONFER_TERRITORY", "JE")

# Statutory timescales. Areas differ, so every number can be overridden with a JSON object
# in CONFER_TIMESCALES, e.g. '{"cin_review_weeks": 8}'. See meetings/timescales.py.
CONFER_TIMESCALES = json.loads(os.environ.get("CONFER_TIMESCALES", "{}"))

CONFER_SERVICE_NAME = os.environ.get("CONFER_SERVICE_NAME", "Confer")
# Largest PDF a professional may upload as a report.
# The deadline sweep reminds the chair this many working days before a due date, and tells
# administrators this many working days before a next statutory meeting is due unscheduled.
CONFER_REMINDER_WORKING_DAYS = int(os.environ.get("CONFER_REMINDER_WORKING_DAYS", "2"))
CONFER_NEXT_MEETING_NOTICE_WORKING_DAYS = int(os.environ.get("CONFER_NEXT_MEETING_NOTICE_WORKING_DAYS", "10"))
# How to complain, as the decision letter tells parents (each area words its own).
CONFER_COMPLAINTS_TEXT = os.environ.get(
    "CONFER_COMPLAINTS_TEXT",
    "You can ask the chair to explain the decision. If you want to complain about the conference or its "
    "decision, write to the service manager within 28 days of this letter; your social worker can tell you how.",
)
# Attach each recipient's PDF to the "final minutes" email. Off by default: an attachment
# leaves Confer for mailboxes it cannot audit; the link behind sign-in does not.
# Working days to answer a family's feedback, from receipt (stage 1) or escalation (stage 2);
# a kind and stage not named owes no answer (a compliment is thanked). JSON to change it.
CONFER_FEEDBACK_ANSWER_WORKING_DAYS = {
    "complaint_stage_1": 10,
    "complaint_stage_2": 20,
    "comment_stage_1": 10,
    **json.loads(os.environ.get("CONFER_FEEDBACK_ANSWER_WORKING_DAYS", "{}")),
}
# The record quality checklist (``minutes/quality.py``): keys Confer can measure are
# on_time, comments_answered, and the section-based child_views, parents_views,
# decision_reasons and plan_actions (empty: not met). JSON list of {"key", "label"}.
CONFER_QUALITY_CHECKLIST = json.loads(os.environ.get("CONFER_QUALITY_CHECKLIST", "null")) or [
    {"key": "child_views", "label": "The child's views are recorded"},
    {"key": "parents_views", "label": "The parents' views are recorded"},
    {"key": "decision_reasons", "label": "The reasons for the decision are stated"},
    {"key": "plan_actions", "label": "Each plan action says who does it and by when"},
    {"key": "comments_answered", "label": "The family's comments not accepted are answered with reasons"},
    {"key": "on_time", "label": "The minutes were distributed on time"},
]
CONFER_ATTACH_MINUTES_PDF = os.environ.get("CONFER_ATTACH_MINUTES_PDF", "0") == "1"
# The record of a page being read (a meeting, minutes) is committed without waiting for the
# disk; a crash of the database server within a fraction of a second of it could lose that
# record (see audit/services.py). 1: every record waits, as changes and downloads always do.
CONFER_AUDIT_PAGE_VIEWS_WAIT_FOR_DISK = env_bool("CONFER_AUDIT_PAGE_VIEWS_WAIT_FOR_DISK", False)
# Monitoring: /metrics answers only with this bearer token (unset: it does not exist), and
# /healthz reports trouble when a task has waited longer than this many seconds.
CONFER_METRICS_TOKEN = os.environ.get("CONFER_METRICS_TOKEN", "")
CONFER_TASK_QUEUE_MAX_AGE = int(os.environ.get("CONFER_TASK_QUEUE_MAX_AGE", "900"))
CONFER_REPORT_MAX_BYTES = int(os.environ.get("CONFER_REPORT_MAX_BYTES", str(10 * 1024 * 1024)))
# Where people reach Confer, for links in emails and calendar invites.
CONFER_BASE_URL = os.environ.get("CONFER_BASE_URL", "http://127.0.0.1:8000")
# The ORGANIZER of calendar invitations: the service mailbox, never a person.
# The service mailbox calendar replies reach (the ORGANIZER's address), read over IMAP by
# ``manage.py mail_fetch`` and the scheduled job. Unset (the embedded default): no one
# reads replies, so invitations ask calendars not to send them (RSVP=FALSE).
CONFER_MAILBOX = {
    "host": os.environ.get("CONFER_MAILBOX_HOST", ""),
    "port": int(os.environ.get("CONFER_MAILBOX_PORT", "993")),
    # "ssl" (IMAPS, port 993), "starttls" (port 143), or "none" (tests on loopback only).
    "security": os.environ.get("CONFER_MAILBOX_SECURITY", "ssl"),
    "user": os.environ.get("CONFER_MAILBOX_USER", ""),
    "password": os.environ.get("CONFER_MAILBOX_PASSWORD", ""),
    "folder": os.environ.get("CONFER_MAILBOX_FOLDER", "INBOX"),
    "done_folder": os.environ.get("CONFER_MAILBOX_DONE_FOLDER", "Confer/Processed"),
    "held_folder": os.environ.get("CONFER_MAILBOX_HELD_FOLDER", "Confer/For a person"),
    "max_messages": int(os.environ.get("CONFER_MAILBOX_MAX_MESSAGES", "50")),
    "max_bytes": int(os.environ.get("CONFER_MAILBOX_MAX_BYTES", str(512 * 1024))),
    # Who is trusted to say a reply really came from its sender: the receiving mail server
    # named by its authserv-id, the first word of the Authentication-Results header it adds
    # (for example "mx.google.com", or Microsoft 365's "spf.protection.outlook.com"). Any
    # other server's verdict, and any verdict in the message as sent, is ignored.
    "authserv_id": os.environ.get("CONFER_MAILBOX_AUTHSERV_ID", ""),
    # A reply changes attendance only when that server says DMARC passed, or SPF or DKIM
    # passed for the sender's own domain; anything else is held for a person. On by default
    # in production; off for local development, where no server checks anything.
    "require_authentication": env_bool("CONFER_MAILBOX_REQUIRE_AUTHENTICATION", not DEBUG),
}
CONFER_MAIL_FETCH_CRON = os.environ.get("CONFER_MAIL_FETCH_CRON", "*/5 * * * *")
CONFER_CALENDAR_ORGANIZER = os.environ.get("CONFER_CALENDAR_ORGANIZER", "meetings@confer.example.org")
CONFER_CALENDAR_ORGANIZER_NAME = os.environ.get("CONFER_CALENDAR_ORGANIZER_NAME", "Confer meetings")

# Logs: one line per request (request id, route pattern, status, time taken) and whatever
# else Confer logs, each stamped with the request id. Never a path, a query string, a name
# or an address: routes are patterns ("meetings/<id:pk>/"), people are not logged at all.
# LOG_FORMAT=json (the production default) writes one JSON object per line.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.requests.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own request logger repeats the path of every 4xx/5xx; Confer's request
        # line says the same with the route pattern instead, and errors keep their traceback.
        "django.request": {"level": "ERROR"},
        # Each task's start and end is routine; failures still show (WARNING and above).
        "django.tasks": {"level": "WARNING"},
        "apscheduler": {"level": "WARNING"},
        "crontask": {"level": "WARNING"},
        # WeasyPrint reports each step of every render at INFO; only its problems matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
