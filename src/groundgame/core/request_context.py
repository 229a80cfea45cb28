"""Who is asking, from where: set per request by the middleware, read by the audit log."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    # The server's own id for the request; the client's (``X-Request-Id``, which anyone can
    # set to anything) is kept beside it, to find a client's request in our log.
    request_id: str
    ip: str
    path: str
    client_request_id: str = ""


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "groundgame_request", default=None
)


def current() -> RequestContext | None:
    return _current.get()


def activate(context: RequestContext | None) -> contextvars.Token[RequestContext | None]:
    return _current.set(context)


def reset(token: contextvars.Token[RequestContext | None]) -> None:
    _current.reset(token)
