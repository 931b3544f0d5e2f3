"""Money in CNY: Decimal only, rounded half-up to 0.01 in one place."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
RATE_QUANTUM = Decimal("0.0001")


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Accept Decimal, int or a decimal string; floats are refused (they cannot hold cents exactly)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("money must be Decimal, int or str, never float or bool")
    try:
        result = value if isinstance(value, Decimal) else Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal amount: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return result


def round_cny(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half-up (0.005 -> 0.01), as Chinese insurance and tax amounts are."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def round_rate(value: Decimal | int | str) -> Decimal:
    return to_decimal(value).quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)


def apply_rate(amount: Decimal | int | str, rate: Decimal | int | str) -> Decimal:
    """amount x rate, rounded once at the end (never round intermediate factors)."""
    return round_cny(to_decimal(amount) * to_decimal(rate))


def allocate(total: Decimal | int | str, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` into cents by ``weights`` so the parts add up exactly to the rounded total.

    Largest-remainder method: every part is rounded down to the cent, then the cents left over go
    to the parts with the largest remainders (earliest first on ties).
    """
    total_cents = int(round_cny(total) / CENT)
    if not weights:
        raise ValueError("allocate needs at least one weight")
    weight_sum = sum(weights, Decimal(0))
    if weight_sum <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative and not all zero")
    raw = [Decimal(total_cents) * w / weight_sum for w in weights]
    floors = [int(r) for r in raw]
    leftover = total_cents - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [Decimal(c) * CENT for c in floors]
