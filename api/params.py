"""What every view reads off the request: the logged-in user and checked query parameters (a bad
one is a 400 naming it)."""

from datetime import date
from typing import cast

from rest_framework import serializers
from rest_framework.request import Request

from accounts.models import User


def request_user(request: Request) -> User:
    """The caller (every view using this requires a logged-in user)."""
    return cast(User, request.user)


def date_param(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise serializers.ValidationError({name: ["日期格式应为 2026-01-31"]}) from None


def int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise serializers.ValidationError({name: ["应为整数"]})
    return int(raw)
