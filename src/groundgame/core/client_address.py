"""The address of the person making a request, also behind a load balancer.

Rate limits, the sign-in lockout and the audit log key on it. Behind a proxy every request
comes from the proxy's address, so that one client's flood locks out everyone; the proxy
passes the client's address in a header (``X-Forwarded-For`` by default). That header is
believed only from the proxies named in ``GROUNDGAME_TRUSTED_PROXIES``: from anyone else it
is whatever the client chose to send. Each proxy appends the address it got the request
from, so the client is the right-most address that is not one of the trusted proxies.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

MAX_LENGTH = 45  # the longest textual IPv6 address


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in network for network in settings.GROUNDGAME_TRUSTED_PROXIES)


def of(request: HttpRequest) -> str:
    """The client's address as text ("" when the server did not say)."""
    remote = str(request.META.get("REMOTE_ADDR", ""))[:MAX_LENGTH]
    peer = _address(remote)
    if peer is None or not _trusted(peer):
        return remote
    header = "HTTP_" + settings.GROUNDGAME_CLIENT_IP_HEADER.upper().replace("-", "_")
    hops = [hop for hop in str(request.META.get(header, "")).split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # A proxy writes addresses only: anything else was sent by the client.
            return remote
        if not _trusted(address):
            return str(address)
    return remote
