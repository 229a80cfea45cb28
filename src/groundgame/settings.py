"""Django settings. Every value comes from the environment (see ``core/env.py``)."""

from __future__ import annotations

import os

from csp import constants as csp

from groundgame.core import env

HOME = env.home_dir()

SECRET_KEY = env.secret_key(HOME)
DEBUG = env.env_bool("GROUNDGAME_DEBUG")
ALLOWED_HOSTS = env.env_list(
    "GROUNDGAME_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.env_list("GROUNDGAME_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "groundgame.core",
    "groundgame.audit",
    "groundgame.organizing",
    "groundgame.people",
    "groundgame.consent",
    "groundgame.messaging",
    "groundgame.volunteers",
    "groundgame.events",
    "groundgame.content",
    "groundgame.field",
    "groundgame.money",
    "groundgame.insights",
    "groundgame.health",
    "groundgame.integrations.mobilize",
]
if os.environ.get("REDIS_URL"):
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]

# The request id first, so that every answer carries one; then the public sign-up API, which
# needs nothing of what follows (see its middleware).
MIDDLEWARE = [
    "groundgame.core.middleware.RequestContextMiddleware",
    "groundgame.volunteers.middleware.PublicSignupMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "groundgame.core.middleware.SessionTimeoutMiddleware",
    "groundgame.core.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "groundgame.organizing.middleware.StaffScopeMiddleware",
]

ROOT_URLCONF = "groundgame.urls"
WSGI_APPLICATION = "groundgame.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "groundgame.core.context.navigation",
            ],
        },
    }
]

DATABASES = {"default": env.database(HOME)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = env.tasks(HOME)
CACHES = env.caches()
RQ_QUEUES = env.rq_queues()

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A test-only knob: the test suite sets it, for itself and for the server and worker processes
# it starts, so that the accounts its tests create hash in microseconds instead of a fifth of a
# second each. Never set it in a deployment: without it only Django's default hashers (PBKDF2
# first) make or accept a password hash, and an MD5 hash does not sign in.
if env.env_bool("GROUNDGAME_TEST_FAST_PASSWORD_HASHER"):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# How often a worker looks for work that lost its task (runtime.sweeper).
GROUNDGAME_SWEEP_SECONDS = float(os.environ.get("GROUNDGAME_SWEEP_SECONDS", "15"))

# The public data set (538's polls, certified returns) the election desk's backtests read and
# the demo imports polls from: ``../shared/data`` beside the checkout unless set.
GROUNDGAME_PUBLIC_DATA = os.environ.get(
    "GROUNDGAME_PUBLIC_DATA",
    os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data"),
)

# Rows kept only to be reviewed (a voter import's rejected lines, the canvass sync's rejected
# results) are deleted this many days later by ``groundgame retention purge``.
GROUNDGAME_RETENTION_DAYS = int(os.environ.get("GROUNDGAME_RETENTION_DAYS", "90"))

# Lockout: this many failed logins for one username (or from one address) within the window
# lock further attempts until the window has passed.
GROUNDGAME_LOGIN_MAX_FAILURES = int(os.environ.get("GROUNDGAME_LOGIN_MAX_FAILURES", "5"))
GROUNDGAME_LOGIN_WINDOW_SECONDS = int(os.environ.get("GROUNDGAME_LOGIN_WINDOW_SECONDS", "900"))

# Two-factor sign-in: staff holding any of these roles must confirm a code from an
# authenticator app (or a recovery code) after their password; "none" requires it of nobody.
# Anyone may enrol on their own. See docs/operating.md.
GROUNDGAME_TWO_FACTOR_ROLES = [
    role
    for role in env.env_list("GROUNDGAME_TWO_FACTOR_ROLES", ["admin"])
    if role.lower() != "none"
]
# The name authenticator apps show next to the codes.
OTP_TOTP_ISSUER = os.environ.get("GROUNDGAME_TWO_FACTOR_ISSUER", "groundgame")
# django-otp's own per-device delays are off: wrong codes count toward the sign-in lockout
# above, with wrong passwords, so that one limit holds for both.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Where the public pages live, for links in emails sent by workers (no request at hand).
# `groundgame demo` sets it to the address it listens on when it is not set.
GROUNDGAME_PUBLIC_URL = os.environ.get("GROUNDGAME_PUBLIC_URL", "http://127.0.0.1:8000")
# Public sign-up intake: sign-ups per minute from one client address (with a burst for a
# family or an office behind one address), sign-ups per second on one form (what the
# machine can take), the least seconds a person takes to fill a form, the largest body.
GROUNDGAME_SIGNUP_PER_CLIENT_PER_MINUTE = float(
    os.environ.get("GROUNDGAME_SIGNUP_PER_CLIENT_PER_MINUTE", "20")
)
GROUNDGAME_SIGNUP_CLIENT_BURST = float(os.environ.get("GROUNDGAME_SIGNUP_CLIENT_BURST", "10"))
GROUNDGAME_SIGNUP_PER_FORM_PER_SECOND = float(
    os.environ.get("GROUNDGAME_SIGNUP_PER_FORM_PER_SECOND", "2000")
)
GROUNDGAME_SIGNUP_MIN_FILL_SECONDS = float(
    os.environ.get("GROUNDGAME_SIGNUP_MIN_FILL_SECONDS", "2")
)
GROUNDGAME_SIGNUP_MAX_BODY_BYTES = 16 * 1024
# Canvass syncs per minute from one client address, with a burst: a staging location's
# phones share one address and each sends its results in batches after every door.
GROUNDGAME_CANVASS_SYNC_PER_CLIENT_PER_MINUTE = float(
    os.environ.get("GROUNDGAME_CANVASS_SYNC_PER_CLIENT_PER_MINUTE", "120")
)
GROUNDGAME_CANVASS_SYNC_CLIENT_BURST = float(
    os.environ.get("GROUNDGAME_CANVASS_SYNC_CLIENT_BURST", "60")
)

# Behind a load balancer: the proxies whose forwarded client address (and scheme) is
# believed, and the header that carries the address (see core/client_address.py).
GROUNDGAME_TRUSTED_PROXIES = env.env_networks("GROUNDGAME_TRUSTED_PROXIES")
GROUNDGAME_CLIENT_IP_HEADER = os.environ.get("GROUNDGAME_CLIENT_IP_HEADER", "X-Forwarded-For")
if GROUNDGAME_TRUSTED_PROXIES:
    # The proxy ends TLS and says so; it must overwrite this header from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Users reach the site over HTTPS only: cookies are sent over HTTPS only, plain HTTP is
# redirected (except the health probe a load balancer polls over HTTP), and browsers are told
# to use HTTPS for a year (HSTS).
GROUNDGAME_HTTPS = env.env_bool("GROUNDGAME_HTTPS")
# Staff sessions end after this long without a request, and this long after signing in
# (core.middleware.SessionTimeoutMiddleware): a shift's work, not Django's two weeks.
GROUNDGAME_SESSION_IDLE_MINUTES = int(os.environ.get("GROUNDGAME_SESSION_IDLE_MINUTES", "120"))
GROUNDGAME_SESSION_MAX_HOURS = int(os.environ.get("GROUNDGAME_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = GROUNDGAME_SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = GROUNDGAME_HTTPS
CSRF_COOKIE_SECURE = GROUNDGAME_HTTPS
SECURE_SSL_REDIRECT = GROUNDGAME_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = (
    int(os.environ.get("GROUNDGAME_HSTS_SECONDS", "31536000")) if GROUNDGAME_HTTPS else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.env_bool("GROUNDGAME_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.env_bool("GROUNDGAME_HSTS_PRELOAD", True)
X_FRAME_OPTIONS = "DENY"
# Pages load scripts, styles and images from the site itself only, so a script planted in a
# name or a note cannot run even if escaping were ever missed; the one inline script (which
# marks the page as having JavaScript before it paints) carries the request's nonce. Pages
# are framed by nobody, except the sign-up form made to be embedded (volunteers.views).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only a deployment behind its own web server collects static files; the demo and the app
# servers serve them from the installed apps (below).
STATIC_ROOT = os.environ.get("GROUNDGAME_STATIC_ROOT") or None
# The demo serves static files straight from the installed apps, so nobody has to run
# collectstatic before the first start.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Email through SMTP when EMAIL_URL is set (smtp://user:password@host:port, smtps:// for TLS),
# else into files under the data directory, one per message (the demo's outbox).
globals().update(env.email(HOME))
# Texts through an HTTP provider in Twilio's message API shape when SMS_URL is set
# (https://ACCOUNT_SID:AUTH_TOKEN@host/2010-04-01), else into the data directory's outbox.
GROUNDGAME_SMS_URL = os.environ.get("SMS_URL", "")
GROUNDGAME_SMS_OUTBOX = HOME / "outbox" / "sms"
# The number texts go out from, in E.164.
GROUNDGAME_SMS_FROM = os.environ.get("GROUNDGAME_SMS_FROM", "+15005550006")
# Provider limits the sender keeps to: carrier segments per minute for one 10DLC registration
# (4,500 is a typical mid-volume brand's allowance), and emails per second for the relay.
GROUNDGAME_SMS_SEGMENTS_PER_MINUTE = int(
    os.environ.get("GROUNDGAME_SMS_SEGMENTS_PER_MINUTE", "4500")
)
GROUNDGAME_EMAIL_PER_SECOND = float(os.environ.get("GROUNDGAME_EMAIL_PER_SECOND", "200"))
# Quiet hours for texts: the hours of the day, in each recipient's own time zone, in which a
# text may be handed to the provider (the federal limit for telephone solicitations, 8:00 to
# 21:00, 47 CFR 64.1200(c)(1)); states whose law is stricter narrow it further
# (``messaging/quiet_hours.py``). Outside it a text waits in the outbox for the next opening.
GROUNDGAME_SMS_SENDING_HOURS = env.env_hours("GROUNDGAME_SMS_SENDING_HOURS", "08:00-21:00")
# The campaign's own zone: where a recipient's address gives no zone (no ZIP or state).
GROUNDGAME_TIME_ZONE = env.env_timezone("GROUNDGAME_TIME_ZONE", "America/New_York")
# A sender's hold on the sends it claimed: after this long without finishing, another sender
# takes its untried sends back (and marks the one it was sending as unknown, never resent).
GROUNDGAME_SEND_LEASE_SECONDS = int(os.environ.get("GROUNDGAME_SEND_LEASE_SECONDS", "120"))
# The batch geocoder for households without coordinates: a service in the shape of the Census
# Bureau's batch geocoder (``locations/addressbatch``: the Census itself, free and keyless, or a
# self-hosted one speaking the same CSV), the benchmark (address data version) it is asked to
# use, the addresses of one request (the Census takes at most 10,000), how long one may take,
# and how often a request that failed is sent again, how many seconds apart.
GROUNDGAME_GEOCODER_URL = os.environ.get(
    "GROUNDGAME_GEOCODER_URL", "https://geocoding.geo.census.gov/geocoder/locations/addressbatch"
)
GROUNDGAME_GEOCODER_BENCHMARK = os.environ.get("GROUNDGAME_GEOCODER_BENCHMARK", "Public_AR_Current")
GROUNDGAME_GEOCODER_BATCH = int(os.environ.get("GROUNDGAME_GEOCODER_BATCH", "10000"))
GROUNDGAME_GEOCODER_TIMEOUT_SECONDS = float(
    os.environ.get("GROUNDGAME_GEOCODER_TIMEOUT_SECONDS", "900")
)
GROUNDGAME_GEOCODER_ATTEMPTS = int(os.environ.get("GROUNDGAME_GEOCODER_ATTEMPTS", "4"))
GROUNDGAME_GEOCODER_RETRY_SECONDS = float(os.environ.get("GROUNDGAME_GEOCODER_RETRY_SECONDS", "30"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "GROUNDGAME_FROM_EMAIL", "Groundgame for America <team@groundgame.example>"
)
# Content approval: how long a request waits before it is overdue and shows, flagged, to the
# approvers above; the longest a delegation of approval may run before it is renewed.
GROUNDGAME_APPROVAL_HOURS = int(os.environ.get("GROUNDGAME_APPROVAL_HOURS", "24"))
GROUNDGAME_DELEGATION_MAX_DAYS = int(os.environ.get("GROUNDGAME_DELEGATION_MAX_DAYS", "120"))
# Signs delivery webhooks (email provider events; the SMS provider signs with its auth token):
# a secret of its own, since the provider holds it too.
GROUNDGAME_WEBHOOK_SECRET = env.webhook_secret(HOME, SECRET_KEY)
# Who sends, as named in the first text to a number, keyword replies and email footers.
GROUNDGAME_ORGANIZATION = os.environ.get("GROUNDGAME_ORGANIZATION", "Groundgame for America")
GROUNDGAME_POSTAL_ADDRESS = os.environ.get(
    "GROUNDGAME_POSTAL_ADDRESS", "PO Box 1000, Raleigh, NC 27601"
)
# States where churn is watched most closely on the list-health page.
GROUNDGAME_BATTLEGROUND_STATES = env.env_list(
    "GROUNDGAME_BATTLEGROUND_STATES", ["AZ", "GA", "MI", "NV", "NC", "PA", "WI"]
)
# List-health alerts (see messaging/list_health.py for where the norms come from). An email
# mailing alerts above 0.25% unsubscribes per email sent (about twice the usual 0.12%) or
# 0.1% spam complaints (Gmail's and Yahoo's ceiling for bulk senders); a text above 2% STOPs;
# only once it reached enough people for a rate to mean something.
GROUNDGAME_UNSUBSCRIBE_RATE_ALERT = float(
    os.environ.get("GROUNDGAME_UNSUBSCRIBE_RATE_ALERT", "0.0025")
)
GROUNDGAME_COMPLAINT_RATE_ALERT = float(os.environ.get("GROUNDGAME_COMPLAINT_RATE_ALERT", "0.001"))
GROUNDGAME_SMS_OPT_OUT_RATE_ALERT = float(
    os.environ.get("GROUNDGAME_SMS_OPT_OUT_RATE_ALERT", "0.02")
)
GROUNDGAME_LIST_HEALTH_MIN_SENDS = int(os.environ.get("GROUNDGAME_LIST_HEALTH_MIN_SENDS", "500"))
# Churn in the battleground states alerts when its share of the last two weeks' churn is this
# many points above their share of the list (from at least the minimum of churn events).
GROUNDGAME_BATTLEGROUND_CHURN_MARGIN = float(
    os.environ.get("GROUNDGAME_BATTLEGROUND_CHURN_MARGIN", "0.10")
)
GROUNDGAME_LIST_HEALTH_MIN_CHURN = int(os.environ.get("GROUNDGAME_LIST_HEALTH_MIN_CHURN", "50"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GROUNDGAME_LOG_LEVEL", "WARNING")},
    "loggers": {
        "groundgame": {"level": os.environ.get("GROUNDGAME_LOG_LEVEL", "INFO"), "propagate": True},
    },
}
