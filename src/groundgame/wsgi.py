"""WSGI entry point for any application server (waitress in the demo, gunicorn at scale)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundgame.settings")

application = get_wsgi_application()
