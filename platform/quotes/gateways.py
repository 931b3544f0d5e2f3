"""Insurer gateways: how a quote is priced and a policy issued or cancelled with one insurer.

Each insurer names its adapter (``Insurer.gateway``). The built-in ``sandbox`` adapter prices with
the rating tables (the pure ``quotes.rating`` functions) and issues sandbox policy numbers; a real
insurer's core-system adapter implements the same protocol and is registered under its own name."""

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from quotes.rating import CommercialRatingTable, QuoteRating, rate_quote

if TYPE_CHECKING:
    from directory.models import Insurer
    from quotes.pricing import RatingRequest


@dataclass(frozen=True)
class IssuedPolicy:
    line: str  # "ctpl" | "commercial"
    number: str
    starts_on: date
    ends_on: date


class GatewayError(Exception):
    """The insurer refused or could not be reached; nothing was issued."""


class InsurerGateway(Protocol):
    def rate(
        self, *, request: "RatingRequest", table: CommercialRatingTable | None, factor: Decimal
    ) -> QuoteRating: ...

    def issue(
        self, *, insurer: "Insurer", lines: dict[str, tuple[date, date]], plate: str
    ) -> list[IssuedPolicy]: ...

    def cancel(self, *, insurer: "Insurer", number: str, refund_amount: Decimal) -> None: ...


class SandboxGateway:
    """Prices with the tables; issues numbers shaped like the insurers' (company code, line, year,
    random digits). Never calls out."""

    LINE_CODES = {"ctpl": "JQ", "commercial": "SY"}

    def rate(
        self, *, request: "RatingRequest", table: CommercialRatingTable | None, factor: Decimal
    ) -> QuoteRating:
        return rate_quote(
            vehicle=request.vehicle,
            province=request.province,
            history=request.history,
            selection=request.selection,
            today=request.today,
            rating_table=table,
            autonomous_pricing_factor=factor,
            traffic_violation_factor=request.traffic_violation_factor,
            vehicle_tax_table=request.vehicle_tax_table,
        )

    def issue(
        self, *, insurer: "Insurer", lines: dict[str, tuple[date, date]], plate: str
    ) -> list[IssuedPolicy]:
        return [
            IssuedPolicy(
                line=line,
                number=f"{insurer.code}{self.LINE_CODES[line]}{starts.year}{secrets.randbelow(10**12):012d}",
                starts_on=starts,
                ends_on=ends,
            )
            for line, (starts, ends) in lines.items()
        ]

    def cancel(self, *, insurer: "Insurer", number: str, refund_amount: Decimal) -> None:
        return None


GATEWAYS: dict[str, InsurerGateway] = {"sandbox": SandboxGateway()}


def gateway_for(insurer: "Insurer") -> InsurerGateway:
    try:
        return GATEWAYS[insurer.gateway]
    except KeyError:
        raise GatewayError(f"{insurer.short_name} 的接口 {insurer.gateway!r} 未接入") from None
