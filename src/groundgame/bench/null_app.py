"""A WSGI application that answers every request as a stored sign-up would (201 and a short
JSON body) and does nothing else: ``bench signups`` serves it with the same application server
and load to measure what the server and the load generator alone cost on this machine."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

BODY = json.dumps(
    {"id": 1, "created_at": "2026-01-01T00:00:00+00:00", "share_path": "/f/launch-day/?ref=x"}
).encode()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    # The body is read, as the sign-up view reads it, so the connection stays reusable.
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response(
        "201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]
    )
    return [BODY]
