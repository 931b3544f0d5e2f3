"""What every view reads off the request: the logged-in user and checked query parameters (a bad
one is a 400 naming it)."""

from collections.abc import Sequence
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


def int_param(request: Request, name: str, *, message: str = "应为整数") -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise serializers.ValidationError({name: [message]})
    return int(raw)


def choice_param(request: Request, name: str, choices: Sequence[str], *, what: str = "状态") -> str | None:
    """One of ``choices`` (a state filter…), or None when absent; anything else names them all."""
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if raw not in choices:
        raise serializers.ValidationError({name: [f"未知的{what}，可选：{'、'.join(choices)}"]})
    return raw
