"""The canvassing app's pages: its shell, its service worker and its web app manifest.

All public (a canvasser opens the app with a list code, no account) and free of personal
data: the walk list itself comes from the API and lives in the phone's IndexedDB.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

# The static files of the app shell, cached by the service worker.
SHELL_STATIC = (
    "field/app.js",
    "field/db.js",
    "field/dom.js",
    "field/sync.js",
    "field/canvass.css",
    "groundgame/icon.svg",
)
SHELL_TEMPLATES = ("field/canvass.html", "field/canvass_sw.js")
TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def shell_version() -> str:
    """A digest of every file of the shell: a new release changes the service worker's bytes,
    so phones install it and drop the old cache."""
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        found = finders.find(name)
        digest.update(Path(str(found)).read_bytes() if found else name.encode())
    for name in SHELL_TEMPLATES:
        digest.update((TEMPLATES / name).read_bytes())
    return digest.hexdigest()[:16]


@require_GET
def app(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(get_template("field/canvass.html").render(request=request))
    # Revalidated on every load while online; the service worker answers offline.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    body = get_template("field/canvass_sw.js").render(
        {
            "version": shell_version(),
            "app_url": reverse("canvass:app"),
            "shell": [reverse("canvass:manifest"), *(static(name) for name in SHELL_STATIC)],
        }
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # Browsers check a worker for updates on navigation; no-cache makes each check real.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("canvass:app")
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    start = reverse("canvass:app")
    response = JsonResponse(
        {
            "name": "groundgame canvass",
            "short_name": "Canvass",
            "description": "Knock doors from a walk list, online or not.",
            "start_url": start,
            "scope": start,
            "display": "standalone",
            "orientation": "portrait",
            "background_color": "#f5f6f8",
            "theme_color": "#111a33",
            "icons": [
                {
                    "src": static("groundgame/icon.svg"),
                    "sizes": "any",
                    "type": "image/svg+xml",
                    "purpose": "any",
                }
            ],
        },
        content_type="application/manifest+json",
    )
    response["Cache-Control"] = "no-cache"
    return response
