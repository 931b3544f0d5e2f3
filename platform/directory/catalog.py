"""The insurers the platform starts with, and their sample 家庭自用汽车 tables.

The tables are ``directory.rating_data.SAMPLE_FAMILY_CAR_TABLE`` scaled per insurer (invented but
plausible numbers, so options differ): real tables are maintained in the console."""

from base64 import b64encode
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from directory.rating_data import SAMPLE_FAMILY_CAR_TABLE, VehicleUse
from directory.rating_tables import table_to_data

# code, full name, short name, colour, default 自主定价系数, [min, max], agent adjustment, scale of
# the sample table's base premiums.
INSURERS: list[tuple[str, str, str, str, str, str, str, str, str]] = [
    ("PICC", "中国人民财产保险股份有限公司", "中国人保", "#C8102E", "0.85", "0.65", "1.15", "0.10", "1.00"),
    ("PINGAN", "中国平安财产保险股份有限公司", "平安", "#F26B21", "0.88", "0.65", "1.15", "0.10", "0.97"),
    ("CPIC", "中国太平洋财产保险股份有限公司", "太平洋", "#0A4DA2", "0.90", "0.70", "1.20", "0.08", "0.98"),
    ("CHINALIFE", "中国人寿财产保险股份有限公司", "国寿财险", "#00704A", "0.92", "0.70", "1.20", "0.08", "0.96"),
    ("CCIC", "中国大地财产保险股份有限公司", "大地", "#8A1538", "0.95", "0.75", "1.25", "0.10", "0.99"),
    ("SUNSHINE", "阳光财产保险股份有限公司", "阳光", "#E8A317", "0.93", "0.75", "1.25", "0.12", "1.01"),
]  # fmt: skip


def logo(short_name: str, color: str) -> str:
    """A round letter mark: the first character of the short name on the insurer's colour."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
        f'<circle cx="32" cy="32" r="32" fill="{color}"/>'
        '<text x="32" y="42" font-size="28" text-anchor="middle" fill="#fff" '
        f'font-family="sans-serif">{short_name[:1]}</text></svg>'
    )
    return "data:image/svg+xml;base64," + b64encode(svg.encode()).decode()


def _scaled(value: str, scale: Decimal, places: str) -> str:
    return format((Decimal(value) * scale).quantize(Decimal(places), ROUND_HALF_UP), "f")


def family_car_table(scale: Decimal) -> dict[str, Any]:
    """The sample table with every base amount (and the 车损险 rate) multiplied by ``scale``."""
    data = table_to_data(SAMPLE_FAMILY_CAR_TABLE)
    for pricing in data.values():
        if "by_limit" in pricing:
            pricing["by_limit"] = {k: _scaled(v, scale, "1") for k, v in pricing["by_limit"].items()}
        for key, places in (("amount", "1"), ("fixed", "1")):
            if key in pricing:
                pricing[key] = _scaled(pricing[key], scale, places)
        if pricing.get("form") == "actual_value_rate":
            pricing["rate"] = _scaled(pricing["rate"], scale, "0.0001")
    return data


def seed_rows() -> list[dict[str, Any]]:
    rows = []
    for sort, (code, name, short, color, factor, low, high, adjust, scale) in enumerate(INSURERS, start=1):
        rows.append(
            {
                "insurer": {
                    "code": code,
                    "name": name,
                    "short_name": short,
                    "color": color,
                    "logo": logo(short, color),
                    "default_factor": Decimal(factor),
                    "factor_min": Decimal(low),
                    "factor_max": Decimal(high),
                    "agent_adjustment": Decimal(adjust),
                    "sort": sort * 10,
                },
                "tables": [
                    {
                        "use": VehicleUse.FAMILY_CAR.value,
                        "name": f"{short} 家庭自用汽车（示例费率）",
                        "coverages": family_car_table(Decimal(scale)),
                    }
                ],
            }
        )
    return rows
