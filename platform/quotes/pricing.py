"""Quick quote (快速报价): one priced option per insurer the tenant works with.

Reads the tenant's terms and the rating tables (a tenant's own table wins over the insurer's),
builds the pure rating inputs, and asks each insurer's gateway for its price. Nothing is written:
``quotes.services`` stores what this returns."""

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from threading import Lock
from typing import Any, cast

from core.tenancy import current_schema_name
from customers.models import Vehicle
from customers.models import VehicleUse as CustomerVehicleUse
from directory.models import Insurer, InsurerRatingTable
from directory.rating_data import PROVINCE_OF_CITY, VehicleTaxTable
from directory.rating_tables import table_from_data
from quotes.gateways import gateway_for
from quotes.models import InsurerTerms, TenantRatingTable, TenantVehicleTaxTable
from quotes.rating import (
    ClaimHistory,
    CommercialRatingTable,
    CoverageSelection,
    Energy,
    QuoteRating,
    RatingError,
    VehicleDescription,
    VehicleUse,
)

# customers.Vehicle.use -> the rows of the 交强险 tables.
RATING_USE: dict[str, VehicleUse] = {
    CustomerVehicleUse.FAMILY: VehicleUse.FAMILY_CAR,
    CustomerVehicleUse.ENTERPRISE: VehicleUse.ENTERPRISE_PASSENGER,
    CustomerVehicleUse.GOVERNMENT: VehicleUse.GOVERNMENT_PASSENGER,
    CustomerVehicleUse.TAXI_RENTAL: VehicleUse.TAXI_RENTAL,
    CustomerVehicleUse.TRUCK: VehicleUse.NON_COMMERCIAL_TRUCK,
    CustomerVehicleUse.TRUCK_OPERATING: VehicleUse.COMMERCIAL_TRUCK,
    CustomerVehicleUse.MOTORCYCLE: VehicleUse.MOTORCYCLE,
}

# The plate's first character names the province that registered the car: the default region.
PLATE_PROVINCES = {
    "京": "北京", "津": "天津", "冀": "河北", "晋": "山西", "蒙": "内蒙古", "辽": "辽宁", "吉": "吉林",
    "黑": "黑龙江", "沪": "上海", "苏": "江苏", "浙": "浙江", "皖": "安徽", "闽": "福建", "赣": "江西",
    "鲁": "山东", "豫": "河南", "鄂": "湖北", "湘": "湖南", "粤": "广东", "桂": "广西", "琼": "海南",
    "渝": "重庆", "川": "四川", "贵": "贵州", "云": "云南", "藏": "西藏", "陕": "陕西", "甘": "甘肃",
    "青": "青海", "宁": "宁夏", "新": "新疆",
}  # fmt: skip


def province_of_plate(plate: str) -> str | None:
    return PLATE_PROVINCES.get((plate or "")[:1])


VEHICLE_INPUTS = (
    "use",
    "seats",
    "tonnage",
    "displacement",
    "energy",
    "purchase_price",
    "first_registered_on",
    "purchase_date",
)


def vehicle_inputs(vehicle: Vehicle | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """What rating reads of the vehicle, as stored on the quote: the customer's car, with whatever
    the caller typed over it. Uses are the customer module's codes; dates ISO strings."""
    base: dict[str, Any] = {}
    if vehicle is not None:
        base = {
            "plate": vehicle.plate,
            "vin": vehicle.vin,
            "use": vehicle.use,
            "seats": vehicle.seats,
            "displacement": vehicle.displacement,
            "energy": vehicle.energy,
            "purchase_price": vehicle.purchase_price,
            "first_registered_on": vehicle.first_registered_on,
            # The 车船税 is due from the purchase month: the record's purchase date, never another
            # date in its place (a car registered before this year owes all 12 months anyway).
            "purchase_date": vehicle.purchase_date,
            # A policy on record: the car's history is its own (quotes.rating.history_for_rating).
            "ctpl_expires_on": vehicle.ctpl_expires_on,
            "commercial_expires_on": vehicle.commercial_expires_on,
        }
    merged = {**base, **{k: v for k, v in overrides.items() if v is not None}}
    plain: dict[str, Any] = {}
    for key, value in merged.items():
        if isinstance(value, Decimal):
            value = format(value, "f")
        elif isinstance(value, date):
            value = value.isoformat()
        plain[key] = value
    return plain


def vehicle_description(inputs: dict[str, Any]) -> VehicleDescription:
    def day(name: str) -> date | None:
        value = inputs.get(name)
        return date.fromisoformat(value) if value else None

    use = inputs.get("use") or CustomerVehicleUse.FAMILY
    # Strings are checked and converted by VehicleDescription (an unknown one is a RatingError).
    return VehicleDescription(
        use=cast(VehicleUse, RATING_USE.get(use) or use),
        seats=inputs.get("seats"),
        tonnage=inputs.get("tonnage"),
        displacement=inputs.get("displacement"),
        energy=cast(Energy, inputs.get("energy") or Energy.FUEL),
        purchase_price=inputs.get("purchase_price"),
        first_registration=day("first_registered_on"),
        purchase_date=day("purchase_date"),
    )


# ---- rating tables, parsed once per version -----------------------------------------------------

_TABLE_CACHE: "OrderedDict[tuple[Any, ...], CommercialRatingTable]" = OrderedDict()
_TABLE_CACHE_SIZE = 512
_TABLE_LOCK = Lock()


def _parsed(key: tuple[Any, ...], load: Any) -> CommercialRatingTable:
    with _TABLE_LOCK:
        table = _TABLE_CACHE.get(key)
        if table is not None:
            _TABLE_CACHE.move_to_end(key)
            return table
    table = load()
    with _TABLE_LOCK:
        _TABLE_CACHE[key] = table
        while len(_TABLE_CACHE) > _TABLE_CACHE_SIZE:
            _TABLE_CACHE.popitem(last=False)
    return table


def rating_tables_for(insurers: list[Insurer], use: VehicleUse) -> dict[int, CommercialRatingTable]:
    """insurer id -> the table to price ``use`` with: the tenant's own, else the insurer's. Parsed
    tables are cached by (schema, table, version): a tenant's table is never served to another."""
    ids = [insurer.pk for insurer in insurers]
    names = {insurer.pk: insurer.name for insurer in insurers}
    schema = current_schema_name()
    found: dict[int, CommercialRatingTable] = {}
    for model, scope in ((TenantRatingTable, schema), (InsurerRatingTable, "public")):
        versions = model.objects.filter(use=use, insurer_id__in=ids).exclude(insurer_id__in=list(found))
        for pk, insurer_id, name, updated_at in versions.values_list(
            "pk", "insurer_id", "name", "updated_at"
        ):

            def load(model: Any = model, pk: int = pk, insurer_id: int = insurer_id, name: str = name) -> Any:
                coverages = model.objects.values_list("coverages", flat=True).get(pk=pk)
                return table_from_data(insurer=names[insurer_id], name=name, coverages=coverages)

            found[insurer_id] = _parsed((scope, model.__name__, pk, updated_at), load)
    return found


def tenant_vehicle_tax_table(region: str) -> VehicleTaxTable | None:
    """The tenant's 车船税 table for ``region`` (a 计划单列市 such as 深圳 uses its province's)."""
    wanted = [region, PROVINCE_OF_CITY.get(region, region)]
    rows = sorted(
        TenantVehicleTaxTable.objects.filter(province__in=wanted), key=lambda r: wanted.index(r.province)
    )
    if not rows:
        return None
    row = rows[0]  # the city's own table before its province's
    return VehicleTaxTable(province=row.province, annual_tax=tuple(Decimal(v) for v in row.annual_tax))


# ---- the quick quote ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RatingRequest:
    vehicle: VehicleDescription
    province: str
    history: ClaimHistory
    selection: CoverageSelection
    today: date
    traffic_violation_factor: Decimal = Decimal(1)
    vehicle_tax_table: VehicleTaxTable | None = None  # the tenant's, for the region (else built in)


@dataclass(kw_only=True)
class Offer:
    insurer: Insurer
    terms: InsurerTerms
    base_factor: Decimal
    factor: Decimal
    rating: QuoteRating | None = None
    error: RatingError | None = None
    rank: int | None = None
    cheapest: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def tenant_insurers(codes: list[str] | None = None) -> list[tuple[Insurer, InsurerTerms]]:
    """The insurers the tenant quotes (enabled terms, active insurer), in the directory's order."""
    terms = InsurerTerms.objects.filter(enabled=True, insurer__active=True).select_related("insurer")
    if codes:
        terms = terms.filter(insurer__code__in=codes)
    rows = sorted(terms, key=lambda t: (t.insurer.sort, t.insurer.code))
    return [(t.insurer, t) for t in rows]


def base_factor(insurer: Insurer, terms: InsurerTerms) -> Decimal:
    return terms.autonomous_pricing_factor or insurer.default_factor


def rate_offers(
    request: RatingRequest,
    insurers: list[tuple[Insurer, InsurerTerms]],
    factors: dict[int, Decimal] | None = None,
) -> list[Offer]:
    """Price ``request`` with every insurer; rank the ones that could, cheapest first."""
    tables = (
        rating_tables_for([i for i, _ in insurers], request.vehicle.use)
        if request.selection.commercial
        else {}
    )
    offers = []
    for insurer, terms in insurers:
        base = base_factor(insurer, terms)
        offer = Offer(
            insurer=insurer, terms=terms, base_factor=base, factor=(factors or {}).get(insurer.pk, base)
        )
        try:
            offer.rating = gateway_for(insurer).rate(
                request=request, table=tables.get(insurer.pk), factor=offer.factor
            )
        except RatingError as exc:
            offer.error = exc
        offers.append(offer)
    rank_offers(offers)
    return offers


def rank_offers(offers: list[Offer]) -> None:
    priced = sorted((o for o in offers if o.rating), key=lambda o: (o.rating.total, o.insurer.sort))  # type: ignore[union-attr]
    for offer in offers:
        offer.rank, offer.cheapest = None, False
    if not priced:
        return
    lowest = priced[0].rating.total  # type: ignore[union-attr]
    for index, offer in enumerate(priced, start=1):
        offer.rank = index
        offer.cheapest = offer.rating.total == lowest  # type: ignore[union-attr]
