"""The real client address of a request: the one function everything (throttles, lockouts, audit
rows, SMS caps) reads it through.

``X-Forwarded-For`` is written by whoever sends the request, so it is only believed as far as it
was appended by our own proxies: settings.TRUSTED_PROXIES lists their addresses or networks
(``10.0.0.0/8``, ``127.0.0.1``). The header is read from the right; each hop that is a trusted
proxy is skipped, and the first address that is not is the client. With no trusted proxies (the
default) the header is ignored and the client is the peer address (REMOTE_ADDR)."""

from collections.abc import Callable
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(item, strict=False) for item in spec)


def _trusted(address: str, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def _valid(address: str) -> str | None:
    try:
        return str(ip_address(address))
    except ValueError:
        return None


def client_ip(request: Any) -> str | None:
    """The address of the client that sent ``request`` (a Django or DRF request)."""
    meta = request.META
    peer = _valid(str(meta.get("REMOTE_ADDR", "")).strip())
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if peer is None or not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        address = _valid(hop)
        if address is None:
            return client  # garbage in the header: stop at the last address our proxies vouched for
        client = address
        if not _trusted(address, networks):
            return address
    return client


def from_trusted_proxy(request: Any) -> bool:
    """Whether the peer that sent ``request`` is one of our proxies."""
    peer = _valid(str(request.META.get("REMOTE_ADDR", "")).strip())
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    return peer is not None and bool(networks) and _trusted(peer, networks)


class ForwardedProtoMiddleware:
    """``X-Forwarded-Proto: https`` makes Django treat a request as HTTPS (SECURE_PROXY_SSL_HEADER:
    HSTS, secure redirects); only our proxies may say so, anyone else's header is dropped."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "HTTP_X_FORWARDED_PROTO" in request.META and not from_trusted_proxy(request):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)
