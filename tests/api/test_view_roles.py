"""Every view says who may call it, and nobody else gets in.

Walks every URL of both URLConfs (``config/urls_public.py``, ``config/urls_tenant.py``): each DRF
view must either declare ``allowed_roles`` (one of ``api.roles``' sets) behind ``HasAllowedRole``,
or be explicitly public (``AllowAny``, listed below by route name so a new public endpoint is a
visible decision). A view that declares no roles is refused to everyone (fail closed).

Who may call each route is also held in ``view_roles_snapshot.json``, taken before the role sets
were renamed and the default flipped to fail closed: the same people reach every endpoint as
before. Regenerate only for an intended change: ``SXB_ROLES_SNAPSHOT_WRITE=1``.
"""

import importlib
import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from accounts.models import Role
from api.permissions import HasAllowedRole
from tests.api.test_url_snapshot import URLCONFS, walk

SNAPSHOT = Path(__file__).with_name("view_roles_snapshot.json")

# Routes anyone may call: logging in, signing up, the host's branding, WeChat's OAuth hops, the
# referral landing and join form, Stripe's webhook (signed), the API schema and its docs.
PUBLIC = {
    "v1:auth-token",
    "v1:auth-sms-send",
    "v1:auth-sms-token",
    "v1:auth-refresh",
    "v1:branding",
    "v1:signup-plans",
    "v1:signup-sms",
    "v1:signup",
    "v1:signup-status",
    "v1:signup-retry",
    "v1:signup-ticket",
    "v1:auth-signup-ticket",
    "v1:stripe-webhook",
    "v1:wechat-oauth-url",
    "v1:wechat-login",
    "v1:wechat-bind",
    "v1:wechat-jssdk",
    "v1:network-referral-info",
    "v1:network-join",
    "schema",
    "docs",
}
# Plain Django views (not DRF): pages, the favicon, the API's 404, tenant media (served only on its
# own host) and the realtime stream (admitted by a signed, short-lived ticket).
NOT_DRF = {
    "platform-home",
    "platform-console",
    "console-app",
    "agent-app",
    "owner-h5",
    "favicon",
    "tenant-media",
    "v1:realtime-stream",
    "",
}
ALL_ROLES = {str(role) for role in Role}


def view_class(callback: Any) -> Any:
    return getattr(callback, "view_class", None) or getattr(callback, "cls", None)


def access(cls: Any) -> str:
    """Who gets through the view's permission classes, as a word or the sorted roles."""
    perms = list(cls().get_permissions())
    if not perms:
        return "public"
    kinds = {type(p) for p in perms}
    if AllowAny in kinds:
        return "public"
    extra = sorted(k.__name__ for k in kinds if k is not HasAllowedRole and k.__name__ != "IsAuthenticated")
    if HasAllowedRole in kinds:
        allowed = getattr(cls, "allowed_roles", None)
        who = "nobody" if allowed is None else ",".join(sorted(allowed))
    else:
        who = "signed-in"
    if who == ",".join(sorted(ALL_ROLES)):
        who = "signed-in"
    return "+".join([who, *extra])


def routes() -> list[tuple[str, str, str, Any]]:
    found = []
    for conf in URLCONFS:
        for path, name, callback in walk(importlib.import_module(conf).urlpatterns):
            found.append((conf, path, name, callback))
    return found


def test_every_view_declares_who_may_call_it() -> None:
    undeclared, unlisted_public, unknown_roles, unexpected_plain = [], [], [], []
    for conf, path, name, callback in routes():
        cls = view_class(callback)
        if cls is None:
            if name not in NOT_DRF:
                unexpected_plain.append(f"{conf} {path}")
            continue
        if not issubclass(cls, APIView):
            continue
        if access(cls) == "public":
            if name not in PUBLIC:
                unlisted_public.append(f"{name} {cls.__name__}")
            continue
        kinds = {type(p) for p in cls().get_permissions()}
        allowed = getattr(cls, "allowed_roles", None)
        if HasAllowedRole not in kinds or not allowed:
            undeclared.append(f"{name} {cls.__name__}")
        elif not set(allowed) <= ALL_ROLES:
            unknown_roles.append(f"{name} {cls.__name__} {sorted(allowed)}")
    assert undeclared == [], "views without allowed_roles (refused to everyone)"
    assert unlisted_public == [], "public views not listed in PUBLIC"
    assert unknown_roles == []
    assert unexpected_plain == [], "non-DRF views not listed in NOT_DRF"


def test_each_route_lets_in_the_same_people_as_before() -> None:
    now = {}
    for conf, path, name, callback in routes():
        cls = view_class(callback)
        if cls is not None and issubclass(cls, APIView):
            now[f"{conf} {path} {name}"] = access(cls)
    if os.environ.get("SXB_ROLES_SNAPSHOT_WRITE"):
        SNAPSHOT.write_text(json.dumps(now, ensure_ascii=False, indent=0, sort_keys=True) + "\n")
    assert now == json.loads(SNAPSHOT.read_text())


def test_a_view_that_declares_no_roles_refuses_everyone() -> None:
    class Undeclared(APIView):
        pass

    user = SimpleNamespace(is_authenticated=True)
    for role in ALL_ROLES:
        request = SimpleNamespace(user=user, roles={role})
        assert HasAllowedRole().has_permission(request, Undeclared()) is False
    assert [type(p) for p in Undeclared().get_permissions()] == [HasAllowedRole]
    declared = type("Declared", (APIView,), {"allowed_roles": frozenset({"finance"})})
    request = SimpleNamespace(user=user, roles={"finance"})
    assert HasAllowedRole().has_permission(request, declared()) is True
    request = SimpleNamespace(user=user, roles={"agent"})
    assert HasAllowedRole().has_permission(request, declared()) is False
