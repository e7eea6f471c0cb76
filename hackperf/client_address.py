"""The address a request came from, behind the proxies the deployment trusts.

Behind the council's TLS proxy every request reaches gunicorn from the proxy's address, so
``REMOTE_ADDR`` alone would make every user one client: eleven junk posts from one person
would rate-limit everyone. The proxy appends the address it saw to ``X-Forwarded-For``;
with ``TRUSTED_PROXY_COUNT = N`` the client is the N-th entry from the right. Entries further
left were written by the client and are never believed. Sign-in throttling (django-axes,
``AXES_CLIENT_IP_CALLABLE``) and the survey rate limit both ask here, so they agree.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(candidate: str) -> str | None:
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The client's IP address: the trusted proxies' entry, else ``REMOTE_ADDR``.

    Always a valid IP address (``0.0.0.0`` when nothing is), so it is safe in a cache key
    and in django-axes' ``GenericIPAddressField``.
    """
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        # Not through the expected proxies (e.g. the container's own health check).
        return remote
    return _valid(forwarded[-count]) or remote
