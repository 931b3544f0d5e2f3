"""Values made JSON-ready the one way the project writes them: Decimals as exact strings ("665.00"),
dates ISO, enums by value, dataclasses as dicts (a dataclass with a ``form`` class attribute, such as a
rating table's pricing forms, carries it as its first key)."""

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(item.name for item in fields(cls))


def to_plain(value: Any) -> Any:
    """JSON-ready: Decimals as exact strings ("665.00"), dates ISO, enums by value."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if value is None or isinstance(value, str | int):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        plain = {name: to_plain(getattr(value, name)) for name in _field_names(type(value))}
        form = getattr(type(value), "form", None)
        return {"form": form, **plain} if form else plain
    if isinstance(value, Mapping):
        return {str(to_plain(key)): to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    return value
