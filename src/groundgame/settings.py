"""Django settings. Every value comes from the environment (see ``core/env.py``)."""

from __future__ import annotations

import os

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
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "groundgame.core",
    "groundgame.audit",
    "groundgame.organizing",
    "groundgame.people",
    "groundgame.health",
]
if os.environ.get("REDIS_URL"):
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]

# The request id first, so that every answer carries one; then the public sign-up API, which
# needs nothing of what follows (see its middleware).
MIDDLEWARE = [
    "groundgame.core.middleware.RequestContextMiddleware",
    "groundgame.organizing.middleware.PublicIntakeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout: this many failed logins for one username (or from one address) within the window
# lock further attempts until the window has passed.
GROUNDGAME_LOGIN_MAX_FAILURES = int(os.environ.get("GROUNDGAME_LOGIN_MAX_FAILURES", "5"))
GROUNDGAME_LOGIN_WINDOW_SECONDS = int(os.environ.get("GROUNDGAME_LOGIN_WINDOW_SECONDS", "900"))

# Where the public pages live, for links in emails sent by workers (no request at hand).
GROUNDGAME_PUBLIC_URL = os.environ.get("GROUNDGAME_PUBLIC_URL", "http://127.0.0.1:8000")
# Public sign-up intake: sign-ups per minute from one client address (with a burst for a
# family or an office behind one address), sign-ups per second on one form (what the
# machine can take), the least seconds a person takes to fill a form, the largest body.
GROUNDGAME_INTAKE_PER_CLIENT_PER_MINUTE = float(
    os.environ.get("GROUNDGAME_INTAKE_PER_CLIENT_PER_MINUTE", "20")
)
GROUNDGAME_INTAKE_CLIENT_BURST = float(os.environ.get("GROUNDGAME_INTAKE_CLIENT_BURST", "10"))
GROUNDGAME_INTAKE_PER_FORM_PER_SECOND = float(
    os.environ.get("GROUNDGAME_INTAKE_PER_FORM_PER_SECOND", "2000")
)
GROUNDGAME_INTAKE_MIN_FILL_SECONDS = float(
    os.environ.get("GROUNDGAME_INTAKE_MIN_FILL_SECONDS", "2")
)
GROUNDGAME_INTAKE_MAX_BODY_BYTES = 16 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.env_bool("GROUNDGAME_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
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

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = HOME / "outbox" / "email"

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
