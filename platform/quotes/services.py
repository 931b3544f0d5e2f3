"""Quotes (报价单) and policies (保单): rating requests, the quote's state machine, issuing through
the insurer gateway, payment and surrender (退保).

States: platform_quoted 平台已报价 -> agent_quoted 代理人已报价 -> issued 已出单 -> completed 已完成,
plus expired 已过期 and cancelled 已取消, and surrendered 已退保 (from issued or completed, when the last of
its policies is surrendered). ``TRANSITIONS`` is the whole machine: any other step is a 409. Every step writes a ``QuoteEvent`` (who, when, what) and an audit row, in one transaction.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.errors import FieldErrors, NotFound, PermissionDenied, StateConflict, ValidationFailed
from core.events import emit
from core.money import round_cny
from core.realtime import publish, user_channel
from core.services import audit_event_record
from core.validators import normalize_plate, normalize_vin, validate_plate, validate_vin
from customers.models import Customer, Vehicle
from customers.services import customer_create, vehicle_add, vehicle_update
from directory.models import Insurer
from directory.rating_data import DISPLACEMENT_BANDS, CtplHistoryClass, VehicleTaxTable
from directory.rating_data import VehicleUse as RatingUse
from directory.rating_tables import RatingTableInvalid, table_from_data
from quotes.gateways import GatewayError, gateway_for
from quotes.models import (
    MAX_CTPL_COMMISSION,
    InsurerTerms,
    Payment,
    Policy,
    PolicyLine,
    PolicyStatus,
    Quote,
    QuoteChannel,
    QuoteEvent,
    QuoteOption,
    QuoteStatus,
    TenantRatingTable,
    TenantVehicleTaxTable,
)
from quotes.pricing import (
    Offer,
    RatingRequest,
    province_of_plate,
    rate_offers,
    tenant_insurers,
    tenant_vehicle_tax_table,
    vehicle_description,
    vehicle_inputs,
)
from quotes.rating import (
    ClaimHistory,
    CoverageChoice,
    CoverageSelection,
    HistorySource,
    RatingError,
    autonomous_pricing_factor_check,
    history_for_rating,
    region_name,
    vehicle_tax_table_problems,
)

QUOTE_VALID_DAYS = 7  # a price holds for a week (the tables and the customer's history may change)
RENEWAL_WINDOW_DAYS = 90  # a policy can be renewed up to 90 days before the current one expires
OPEN_STATUSES = (QuoteStatus.PLATFORM_QUOTED, QuoteStatus.AGENT_QUOTED)

# action -> the states it may start from, and the state it leads to (None: stays where it is).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "adjust": (OPEN_STATUSES, None),
    "send": ((QuoteStatus.PLATFORM_QUOTED,), QuoteStatus.AGENT_QUOTED),
    "accept": (OPEN_STATUSES, QuoteStatus.ISSUED),
    "pay": ((QuoteStatus.ISSUED,), QuoteStatus.COMPLETED),
    "cancel": (OPEN_STATUSES, QuoteStatus.CANCELLED),
    "expire": (OPEN_STATUSES, QuoteStatus.EXPIRED),
    # Taken by policy_surrender when no policy of the quote is left in force.
    "surrender": ((QuoteStatus.ISSUED, QuoteStatus.COMPLETED), QuoteStatus.SURRENDERED),
}
ACTION_LABELS = {
    "create": "生成报价",
    "adjust": "调整报价",
    "send": "代理人报价",
    "accept": "确认投保并出单",
    "pay": "确认收款",
    "cancel": "取消报价",
    "expire": "报价过期",
    "surrender": "退保",
}

# Where a rating input lives in the request body, so a 400 names the field the caller sent.
_VEHICLE_FIELDS = {
    "use",
    "seats",
    "tonnage",
    "displacement",
    "energy",
    "purchase_price",
    "purchase_date",
    "first_registered_on",
}
_FIELD_PATHS = {
    "first_registration": "vehicle.first_registered_on",
    "ctpl_class": "history.ctpl_class",
    "claim_free_years": "history.claim_free_years",
    "claims_last_year": "history.claims_last_year",
    "province": "province",
    "vehicle_tax_table": "province",
    "vehicle_tax": "coverages.vehicle_tax",
    "selection": "coverages",
    "commercial": "coverages.commercial",
}


# Errors about the coverages chosen, whatever input they name.
_COVERAGE_CODES = {
    "coverage_not_in_table",
    "limit_not_in_table",
    "missing_seat_cover",
    "seats_exceed_vehicle",
    "rider_without_main_coverage",
}


def rating_field(field: str, code: str = "") -> str:
    if code in _COVERAGE_CODES or field in ("limit", "limit_per_seat"):
        return "coverages.commercial"
    if field == "actual_value":
        return "vehicle.purchase_price"
    if field in _VEHICLE_FIELDS:
        return f"vehicle.{field}"
    return _FIELD_PATHS.get(field, field)


def _rating_failed(exc: RatingError, *, field: str | None = None) -> ValidationFailed:
    return ValidationFailed(
        exc.message, code=exc.code, fields={field or rating_field(exc.field, exc.code): [exc.message]}
    )


# ---- the rating request -----------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteInputs:
    """A checked rating request and what it was built from (stored on the quote)."""

    request: RatingRequest
    region: str
    vehicle: dict[str, Any]
    history: dict[str, Any]
    coverages: dict[str, Any]


def _check_identifiers(inputs: dict[str, Any]) -> None:
    errors = FieldErrors()
    for name, normalize, validate in (
        ("plate", normalize_plate, validate_plate),
        ("vin", normalize_vin, validate_vin),
    ):
        value = inputs.get(name)
        if not value:
            continue
        inputs[name] = normalize(value)
        try:
            validate(inputs[name])
        except DjangoValidationError as exc:
            errors.add(f"vehicle.{name}", exc.messages[0])
    errors.raise_if_any()


def _coverage_selection(coverages: dict[str, Any]) -> CoverageSelection:
    choices = []
    for index, raw in enumerate(coverages.get("commercial") or []):
        try:
            choices.append(
                CoverageChoice(
                    code=raw["code"],
                    limit=raw.get("limit"),
                    seats=raw.get("seats"),
                    limit_per_seat=raw.get("limit_per_seat"),
                )
            )
        except RatingError as exc:
            raise _rating_failed(exc, field=f"coverages.commercial.{index}.{exc.field}") from None
    try:
        return CoverageSelection(
            ctpl=coverages.get("ctpl", True),
            vehicle_tax=coverages.get("vehicle_tax", True),
            commercial=tuple(choices),
        )
    except RatingError as exc:
        raise _rating_failed(exc) from None


def _earlier_policy(vehicle: Vehicle | None, inputs: dict[str, Any]) -> bool:
    """Whether the car is known to have had a policy: an expiry date on its record (or typed), or
    a policy issued here."""
    if inputs.get("ctpl_expires_on") or inputs.get("commercial_expires_on"):
        return True
    return vehicle is not None and vehicle.pk is not None and Policy.objects.filter(vehicle=vehicle).exists()


def quote_inputs(
    *,
    vehicle: Vehicle | None,
    vehicle_overrides: dict[str, Any],
    province: str | None,
    history: dict[str, Any],
    coverages: dict[str, Any],
    today: date,
    stored: bool = False,
) -> QuoteInputs:
    """Check and build what rating needs. Every bad input is a ``ValidationFailed`` naming its path
    in the request body (``vehicle.seats``, ``history.claims_last_year``, ``province`` …).

    The claim history is the one ``history_for_rating`` decides (a car with no earlier policy is
    rated as new unless ``history.transferred``); ``stored`` rebuilds a stored quote's request with
    the history it was rated with."""
    inputs = vehicle_inputs(vehicle, vehicle_overrides)
    _check_identifiers(inputs)
    raw_province = (province or "").strip() or province_of_plate(inputs.get("plate", "")) or ""
    if not raw_province:
        raise ValidationFailed(
            "请选择投保地区", fields={"province": ["请选择投保地区（车牌无法判断省份时必填）"]}
        )
    transferred = bool(history.get("transferred"))
    try:
        region = region_name(raw_province)
        description = vehicle_description(inputs)
        stated = ClaimHistory(
            ctpl_class=cast(CtplHistoryClass, history.get("ctpl_class") or CtplHistoryClass.NEW),
            claim_free_years=history.get("claim_free_years") or 0,
            claims_last_year=history.get("claims_last_year") or 0,
            source=cast(HistorySource, history.get("source") or HistorySource.STATED),
        )
        if stored:
            claims = stated  # as it was rated, whatever the vehicle's record says today
        else:
            claims = history_for_rating(
                stated,
                first_registration=description.first_registration,
                purchase_date=description.purchase_date,
                earlier_policy=_earlier_policy(vehicle, inputs),
                transferred=transferred,
                today=today,
            )
    except RatingError as exc:
        raise _rating_failed(exc) from None
    selection = _coverage_selection(coverages)
    if not selection.ctpl and not selection.commercial:
        raise ValidationFailed(
            "报价应至少包含交强险或一项商业险", fields={"coverages": ["请至少选择交强险或一项商业险"]}
        )
    plain_history: dict[str, Any] = {
        "ctpl_class": str(claims.ctpl_class),
        "claim_free_years": claims.claim_free_years,
        "claims_last_year": claims.claims_last_year,
        "source": str(claims.source),
        "transferred": transferred,
    }
    if claims != stated and not stored:
        plain_history["stated"] = {
            "ctpl_class": str(stated.ctpl_class),
            "claim_free_years": stated.claim_free_years,
            "claims_last_year": stated.claims_last_year,
        }
    elif "stated" in history:
        plain_history["stated"] = history["stated"]
    plain_coverages = {
        "ctpl": selection.ctpl,
        "vehicle_tax": selection.vehicle_tax,
        "commercial": [
            {
                k: (format(v, "f") if isinstance(v, Decimal) else v)
                for k, v in (
                    ("code", c.code),
                    ("limit", c.limit),
                    ("seats", c.seats),
                    ("limit_per_seat", c.limit_per_seat),
                )
                if v is not None
            }
            for c in selection.commercial
        ],
    }
    request = RatingRequest(
        vehicle=description,
        province=region,
        history=claims,
        selection=selection,
        today=today,
        vehicle_tax_table=tenant_vehicle_tax_table(region)
        if selection.ctpl and selection.vehicle_tax
        else None,
    )
    return QuoteInputs(
        request=request, region=region, vehicle=inputs, history=plain_history, coverages=plain_coverages
    )


def rate(inputs: QuoteInputs, *, insurer_codes: list[str] | None = None) -> list[Offer]:
    """One offer per insurer the tenant quotes. When no insurer can price the request, the first
    insurer's reason is the caller's error (bad input); otherwise the others show as unavailable."""
    insurers = tenant_insurers(insurer_codes)
    if not insurers:
        raise ValidationFailed(
            "本租户尚未开通任何保险公司", fields={"insurers": ["请先在「保险公司」中开通至少一家保险公司"]}
        )
    offers = rate_offers(inputs.request, insurers)
    if not any(offer.rating for offer in offers):
        error = next(offer.error for offer in offers if offer.error)
        raise _rating_failed(error)
    return offers


def factor_bounds(insurer: Insurer, base: Decimal) -> tuple[Decimal, Decimal]:
    """How far an agent may move the 自主定价系数: ± the insurer's allowance, inside its filed range."""
    return (
        max(insurer.factor_min, base - insurer.agent_adjustment),
        min(insurer.factor_max, base + insurer.agent_adjustment),
    )


# ---- quotes -----------------------------------------------------------------------------------


def _actor_fields(actor: User | None, role: str) -> dict[str, Any]:
    if actor is None:
        return {"actor": None, "actor_name": "系统", "actor_role": role or "system"}
    return {"actor": actor, "actor_name": actor.name or actor.mobile, "actor_role": role}


def _event(quote: Quote, action: str, *, from_status: str, actor: User | None, role: str, note: str = "",
           data: dict[str, Any] | None = None) -> QuoteEvent:  # fmt: skip
    # Open pages of the quote (the owner's, the promoting agent's) reload it after the commit: a
    # cancelled quote no longer shows 代理人已报价 until a reload.
    owner_id, agent_id = Customer.objects.filter(pk=quote.customer_id).values_list(
        "user_id", "promoter__user_id"
    ).first() or (None, None)
    publish(
        [user_channel(u) for u in (owner_id, agent_id) if u],
        "quote.changed",
        {"quote_id": quote.pk, "status": quote.status, "action": action},
    )
    return QuoteEvent.objects.create(
        quote=quote,
        action=action,
        from_status=from_status,
        to_status=quote.status,
        note=note[:300],
        data=data or {},
        **_actor_fields(actor, role),
    )


def _option_fields(offer: Offer) -> dict[str, Any]:
    if offer.rating is None:
        return {
            "available": False,
            "unavailable_reason": (offer.error.message if offer.error else "无法报价")[:300],
            "rank": None,
            "cheapest": False,
            "base_factor": offer.base_factor,
            "autonomous_pricing_factor": offer.factor,
            "ctpl_premium": Decimal("0"),
            "vehicle_tax": Decimal("0"),
            "commercial_premium": Decimal("0"),
            "total": Decimal("0"),
            "breakdown": {"error": {"field": offer.error.field, "code": offer.error.code}}
            if offer.error
            else {},
        }
    rating = offer.rating
    return {
        "available": True,
        "unavailable_reason": "",
        "rank": offer.rank,
        "cheapest": offer.cheapest,
        "base_factor": offer.base_factor,
        "autonomous_pricing_factor": offer.factor,
        "ctpl_premium": rating.ctpl_premium,
        "vehicle_tax": rating.vehicle_tax_amount,
        "commercial_premium": rating.commercial_premium,
        "total": rating.total,
        "breakdown": rating.to_dict(),
    }


def _check_renewal_window(vehicle: Vehicle, coverages: dict[str, Any], today: date) -> None:
    errors = FieldErrors()
    opens = today + timedelta(days=RENEWAL_WINDOW_DAYS)
    if coverages["ctpl"] and vehicle.ctpl_expires_on and vehicle.ctpl_expires_on > opens:
        errors.add(
            "coverages.ctpl",
            f"交强险 {vehicle.ctpl_expires_on} 到期，到期前 {RENEWAL_WINDOW_DAYS} 天内才能续保",
        )
    if coverages["commercial"] and vehicle.commercial_expires_on and vehicle.commercial_expires_on > opens:
        errors.add(
            "coverages.commercial",
            f"商业险 {vehicle.commercial_expires_on} 到期，到期前 {RENEWAL_WINDOW_DAYS} 天内才能续保",
        )
    errors.raise_if_any("尚未到续保时间")


def _fill_vehicle_blanks(*, actor: User | None, vehicle: Vehicle, typed: dict[str, Any]) -> Vehicle:
    """Details typed on a quote complete the vehicle's record where it had none."""
    blanks = {
        name: typed[name]
        for name in ("vin", "displacement", "purchase_price", "first_registered_on", "purchase_date")
        if typed.get(name) not in (None, "") and getattr(vehicle, name) in (None, "")
    }
    if not blanks:
        return vehicle
    try:
        return vehicle_update(actor=actor, vehicle=vehicle, **blanks)
    except ValidationFailed as exc:
        raise ValidationFailed(
            exc.message, fields={f"vehicle.{k}": v for k, v in exc.fields.items()}
        ) from None


def _registration_fields(fields: dict[str, list[str]], *, new: bool) -> dict[str, list[str]]:
    """Errors from registering the vehicle (and customer), named as the quote request names them."""
    named = {}
    for key, messages in fields.items():
        if key.startswith("vehicles.0."):
            key = "vehicle." + key.removeprefix("vehicles.0.")
        elif key == "vehicles":
            key = "vehicle.plate"
        else:
            key = f"customer.{key}" if new else f"vehicle.{key}"
        named[key] = messages
    return named


def _refuse_known_customer(
    *, actor: User, roles: set[str], typed: dict[str, Any], vehicle: dict[str, Any]
) -> None:
    """A customer typed by hand whom the caller already has (their mobile, or the car's plate) is
    not refused with "已是客户": the 400 ``customer_exists`` names the record (``existing_customer``,
    and ``existing_vehicle`` for a known plate, as ids) so the page can offer to quote it instead.
    Only customers the caller may see are named; others go on to the usual checks."""
    from customers.selectors import known_customer

    found = known_customer(
        user=actor,
        roles=roles,
        mobile=str(typed.get("mobile") or ""),
        plate=str(vehicle.get("plate") or ""),
    )
    if found is None:
        return
    customer, car = found
    if car is not None:
        fields = {
            "vehicle.plate": [f"车牌 {car.plate} 已是您的客户 {customer.name} 的车辆，可直接为这辆车报价"],
            "existing_vehicle": [str(car.pk)],
        }
    else:
        fields = {
            "customer.mobile": [f"手机号 {customer.mobile} 已是您的客户 {customer.name}，可直接为该客户报价"]
        }
    fields["existing_customer"] = [str(customer.pk)]
    raise ValidationFailed(f"{customer.name} 已是您的客户", code="customer_exists", fields=fields)


def quote_request(
    *,
    actor: User,
    role: str,
    roles: set[str],
    vehicle_id: int | None = None,
    customer_id: int | None = None,
    new_customer: dict[str, Any] | None = None,
    vehicle_data: dict[str, Any] | None = None,
    province: str | None = None,
    history: dict[str, Any] | None = None,
    coverages: dict[str, Any] | None = None,
    insurer_codes: list[str] | None = None,
) -> Quote:
    """A quote asked for by ``actor`` acting as ``role`` (one of owner, agent, tenant_admin):
    an owner quotes for themselves (their own vehicle, or a new one on their own customer record,
    made on first use), on the owner channel; an agent for the customers they can see, a new
    customer becoming theirs (promoted by them, the quote scoped to their team); the console for
    any customer of the tenant. ``roles`` (all the caller holds) decides what they can see. Not one
    transaction: an owner's own customer record, once made, stays even if the rating is refused."""
    from customers.selectors import customers_visible, vehicles_visible
    from customers.services import customer_for_owner
    from network.selectors import distributor_of

    def visible_vehicle(pk: int) -> Vehicle:
        found = vehicles_visible(user=actor, roles=roles).select_related("customer").filter(pk=pk).first()
        if found is None:
            raise ValidationFailed(fields={"vehicle_id": ["车辆不存在或不在您的客户名下"]})
        return cast(Vehicle, found)

    kwargs: dict[str, Any] = {}
    scope_root_id = None
    if role == "owner":
        channel = QuoteChannel.OWNER
        if vehicle_id:
            kwargs["vehicle"] = visible_vehicle(vehicle_id)
        else:
            kwargs["customer"] = customer_for_owner(user=actor, create=True)
    else:
        channel = QuoteChannel.AGENT if role == "agent" else QuoteChannel.CONSOLE
        if role == "agent":
            me = distributor_of(actor)
            if me is None:
                raise PermissionDenied("您还不是本租户的代理人")
            scope_root_id = me.pk
        if vehicle_id:
            kwargs["vehicle"] = visible_vehicle(vehicle_id)
        elif customer_id:
            found: Customer | None = customers_visible(user=actor, roles=roles).filter(pk=customer_id).first()
            if found is None:
                raise ValidationFailed(fields={"customer_id": ["客户不存在或不在您的名下"]})
            kwargs["customer"] = found
        elif new_customer:
            new_customer = dict(new_customer)
            _refuse_known_customer(actor=actor, roles=roles, typed=new_customer, vehicle=vehicle_data or {})
            if scope_root_id is not None:
                new_customer["promoter_id"] = scope_root_id
            kwargs["new_customer"] = new_customer
    return quote_create(
        actor=actor,
        role=role,
        channel=channel,
        vehicle_data=vehicle_data,
        province=province,
        history=history,
        coverages=coverages,
        insurer_codes=insurer_codes,
        scope_root_id=scope_root_id,
        **kwargs,
    )


@transaction.atomic
def quote_create(
    *,
    actor: User | None,
    role: str,
    channel: str,
    vehicle: Vehicle | None = None,
    customer: Customer | None = None,
    new_customer: dict[str, Any] | None = None,
    vehicle_data: dict[str, Any] | None = None,
    province: str | None = None,
    history: dict[str, Any] | None = None,
    coverages: dict[str, Any] | None = None,
    insurer_codes: list[str] | None = None,
    scope_root_id: int | None = None,
    today: date | None = None,
) -> Quote:
    """Rate and store a quote for a customer's vehicle: an existing ``vehicle``; a new vehicle
    (``vehicle_data`` with a plate) on ``customer``; or a ``new_customer`` with it."""
    today = today or timezone.localdate()
    typed = dict(vehicle_data or {})
    if vehicle is None:
        plate = normalize_plate(typed.get("plate") or "")
        if customer is not None:
            vehicle = customer.vehicles.filter(plate=plate).first() if plate else None
        if vehicle is None:
            registration = {k: v for k, v in typed.items() if k != "tonnage"}
            try:
                if customer is not None:
                    vehicle = vehicle_add(actor=actor, customer=customer, **registration)
                elif new_customer is not None:
                    customer = customer_create(
                        actor=actor, scope_root_id=scope_root_id, vehicles=[registration], **new_customer
                    )
                    vehicle = customer.vehicles.get()
                else:
                    raise ValidationFailed(fields={"vehicle_id": ["请选择客户车辆，或填写客户和车辆信息"]})
            except ValidationFailed as exc:
                raise ValidationFailed(
                    exc.message, code=exc.code, fields=_registration_fields(exc.fields, new=customer is None)
                ) from None
    else:
        vehicle = _fill_vehicle_blanks(actor=actor, vehicle=vehicle, typed=typed)
    customer = vehicle.customer
    inputs = quote_inputs(
        vehicle=vehicle,
        vehicle_overrides=typed,
        province=province,
        history=history or {},
        coverages=coverages or {},
        today=today,
    )
    _check_renewal_window(vehicle, inputs.coverages, today)
    offers = rate(inputs, insurer_codes=insurer_codes)
    cheapest = min((o.rating.total for o in offers if o.rating), default=Decimal("0"))
    quote = Quote.objects.create(
        customer=customer,
        vehicle=vehicle,
        promoter_id=customer.promoter_id,
        plate=vehicle.plate,
        status=QuoteStatus.PLATFORM_QUOTED,
        channel=channel,
        region=inputs.region,
        vehicle_snapshot=inputs.vehicle,
        history=inputs.history,
        coverages=inputs.coverages,
        rated_on=today,
        valid_until=today + timedelta(days=QUOTE_VALID_DAYS),
        premium=cheapest,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    quote.number = f"Q{today:%Y%m%d}{quote.pk:06d}"
    quote.save(update_fields=["number"])
    QuoteOption.objects.bulk_create(
        QuoteOption(
            quote=quote,
            insurer=offer.insurer,
            ctpl_commission_rate=offer.terms.ctpl_commission_rate,
            commercial_commission_rate=offer.terms.commercial_commission_rate,
            **_option_fields(offer),
        )
        for offer in offers
    )
    _event(
        quote,
        "create",
        from_status="",
        actor=actor,
        role=role,
        data={"options": len(offers), "cheapest": format(cheapest, "f")},
    )
    audit_event_record(
        actor=actor,
        action="quote.create",
        summary=f"{quote.plate} 报价 {quote.number}：{len(offers)} 家保险公司，最低 {cheapest}",
        object_type="quote",
        object_id=quote.pk,
    )
    return quote


def _locked(quote: Quote, action: str) -> Quote:
    """The quote, locked for the step, if ``action`` may start from its state; else a 409."""
    locked = Quote.objects.select_for_update().get(pk=quote.pk)
    allowed_from, _ = TRANSITIONS[action]
    if locked.status not in allowed_from:
        raise StateConflict(
            f"报价单 {locked.number} 当前为「{locked.get_status_display()}」，不能{ACTION_LABELS[action]}",
            code="quote_invalid_transition",
        )
    return locked


def _move(quote: Quote, action: str, *, actor: User | None, role: str, note: str = "",
          data: dict[str, Any] | None = None) -> Quote:  # fmt: skip
    from_status = quote.status
    target = TRANSITIONS[action][1]
    if target is not None:
        quote.status = target
    quote.save()
    _event(quote, action, from_status=from_status, actor=actor, role=role, note=note, data=data)
    audit_event_record(
        actor=actor,
        action=f"quote.{action}",
        summary=f"报价单 {quote.number} {ACTION_LABELS[action]}",
        object_type="quote",
        object_id=quote.pk,
        data=data,
    )
    return quote


def _refuse_if_expired(quote: Quote, today: date) -> None:
    if today > quote.valid_until:
        raise StateConflict(
            f"报价单 {quote.number} 已于 {quote.valid_until} 过期，请重新报价", code="quote_expired"
        )


def _rerank(quote: Quote) -> None:
    options = list(quote.options.filter(available=True))
    lowest = min((o.total for o in options), default=Decimal("0"))
    for rank, option in enumerate(sorted(options, key=lambda o: (o.total, o.insurer.sort)), start=1):
        option.rank, option.cheapest = rank, option.total == lowest
    QuoteOption.objects.bulk_update(options, ["rank", "cheapest"])
    quote.premium = quote.chosen_option.total if quote.chosen_option else lowest


def stored_request(quote: Quote) -> QuoteInputs:
    """The quote's rating request, rebuilt from what it stored."""
    return quote_inputs(
        vehicle=None,
        vehicle_overrides=quote.vehicle_snapshot,
        province=quote.region,
        history=quote.history,
        coverages=quote.coverages,
        today=quote.rated_on,
        stored=True,
    )


@transaction.atomic
def option_adjust(
    *, actor: User, role: str, quote: Quote, option_id: int, factor: Decimal, today: date | None = None
) -> Quote:
    """Re-price one option with another 自主定价系数, within the insurer's allowance."""
    quote = _locked(quote, "adjust")
    _refuse_if_expired(quote, today or timezone.localdate())
    option = quote.options.select_related("insurer").filter(pk=option_id).first()
    if option is None:
        raise NotFound("报价方案不存在")
    if not option.available:
        raise StateConflict(f"{option.insurer.short_name}无法承保此报价，不能调整", code="option_unavailable")
    if not quote.coverages["commercial"]:
        raise ValidationFailed(fields={"factor": ["只报交强险时没有自主定价系数可调"]})
    insurer = option.insurer
    base = option.base_factor or insurer.default_factor
    low, high = factor_bounds(insurer, base)
    try:
        factor = autonomous_pricing_factor_check(factor)
    except RatingError as exc:
        raise ValidationFailed(exc.message, fields={"factor": [exc.message]}) from None
    if not low <= factor <= high:
        raise ValidationFailed(
            f"{insurer.short_name}的自主定价系数只能在 {low}–{high} 之间调整",
            fields={
                "factor": [f"应在 {low} 到 {high} 之间（基准 {base}，可调 ±{insurer.agent_adjustment}）"]
            },
        )
    terms = InsurerTerms.objects.select_related("insurer").get(insurer=insurer)
    offers = rate_offers(stored_request(quote).request, [(insurer, terms)], factors={insurer.pk: factor})
    offer = offers[0]
    if offer.rating is None:
        raise _rating_failed(offer.error) if offer.error else StateConflict("无法重新报价")
    before = option.total
    fields = _option_fields(offer)
    for name in (
        "autonomous_pricing_factor",
        "ctpl_premium",
        "vehicle_tax",
        "commercial_premium",
        "total",
        "breakdown",
    ):
        setattr(option, name, fields[name])
    option.adjusted_by, option.adjusted_at = actor, timezone.now()
    option.save()
    _rerank(quote)
    return _move(
        quote,
        "adjust",
        actor=actor,
        role=role,
        note=f"{insurer.short_name} 系数 {factor}：{before} → {option.total}",
        data={"option": option.pk, "insurer": insurer.code, "factor": format(factor, "f"),
              "before": format(before, "f"), "after": format(option.total, "f")},
    )  # fmt: skip


@transaction.atomic
def quote_send(*, actor: User, role: str, quote: Quote, note: str = "", today: date | None = None) -> Quote:
    quote = _locked(quote, "send")
    _refuse_if_expired(quote, today or timezone.localdate())
    quote = _move(quote, "send", actor=actor, role=role, note=note)
    emit("quote.sent", object_type="quote", object_id=quote.pk,
         payload={"number": quote.number, "customer_id": quote.customer_id, "premium": format(quote.premium, "f")},
         actor=actor)  # fmt: skip
    return quote


def _term(starts_on: date) -> tuple[date, date]:
    """A one-year term: from ``starts_on`` to the day before its anniversary (29 Feb -> 28 Feb)."""
    try:
        anniversary = starts_on.replace(year=starts_on.year + 1)
    except ValueError:
        anniversary = starts_on.replace(year=starts_on.year + 1, day=28) + timedelta(days=1)
    return starts_on, anniversary - timedelta(days=1)


def policy_terms(vehicle: Vehicle, coverages: dict[str, Any], today: date) -> dict[str, tuple[date, date]]:
    """Each line starts the day after the current policy ends, and never before tomorrow."""
    tomorrow = today + timedelta(days=1)
    lines: dict[str, tuple[date, date]] = {}
    for line, expires, wanted in (
        (PolicyLine.CTPL, vehicle.ctpl_expires_on, coverages["ctpl"]),
        (PolicyLine.COMMERCIAL, vehicle.commercial_expires_on, bool(coverages["commercial"])),
    ):
        if wanted:
            lines[line.value] = _term(max(tomorrow, expires + timedelta(days=1)) if expires else tomorrow)
    return lines


@transaction.atomic
def quote_accept(*, actor: User, role: str, quote: Quote, option_id: int, today: date | None = None) -> Quote:
    """The customer takes one option: the insurer issues the policies (交强险 and/or 商业险), the
    vehicle's expiry dates move on, and ``policy.issued`` is emitted for each policy."""
    today = today or timezone.localdate()
    quote = _locked(quote, "accept")
    if quote.status == QuoteStatus.PLATFORM_QUOTED and quote.channel != QuoteChannel.OWNER:
        raise StateConflict(
            f"报价单 {quote.number} 还未由代理人报价，车主暂不能确认", code="quote_invalid_transition"
        )
    _refuse_if_expired(quote, today)
    option = quote.options.select_related("insurer").filter(pk=option_id).first()
    if option is None:
        raise NotFound("报价方案不存在")
    if not option.available:
        raise ValidationFailed(
            fields={"option": [f"{option.insurer.short_name}无法承保此报价：{option.unavailable_reason}"]}
        )
    vehicle = Vehicle.objects.select_for_update().get(pk=quote.vehicle_id)
    lines = policy_terms(vehicle, quote.coverages, today)
    try:
        issued = gateway_for(option.insurer).issue(insurer=option.insurer, lines=lines, plate=quote.plate)
    except GatewayError as exc:
        raise StateConflict(f"{option.insurer.short_name}出单失败：{exc}", code="insurer_refused") from None
    now = timezone.now()
    policies = []
    for item in issued:
        ctpl = item.line == PolicyLine.CTPL
        policy = Policy.objects.create(
            quote=quote,
            option=option,
            insurer=option.insurer,
            customer_id=quote.customer_id,
            vehicle=vehicle,
            promoter_id=quote.promoter_id,
            line=item.line,
            number=item.number,
            premium=option.ctpl_premium if ctpl else option.commercial_premium,
            vehicle_tax=option.vehicle_tax if ctpl else Decimal("0"),
            commission_rate=option.ctpl_commission_rate if ctpl else option.commercial_commission_rate,
            starts_on=item.starts_on,
            ends_on=item.ends_on,
            issued_at=now,
        )
        policies.append(policy)
    expiries = {
        f"{p.line}_expires_on": p.ends_on for p in policies
    }  # ctpl_expires_on / commercial_expires_on
    vehicle_update(actor=actor, vehicle=vehicle, **expiries)
    quote.chosen_option = option
    quote.premium = option.total
    quote = _move(
        quote,
        "accept",
        actor=actor,
        role=role,
        note=f"{option.insurer.short_name} ¥{option.total}："
        + "，".join(f"{p.get_line_display()} {p.number}" for p in policies),
        data={"option": option.pk, "insurer": option.insurer.code, "policies": [p.number for p in policies]},
    )
    for policy in policies:
        emit(
            "policy.issued",
            object_type="policy",
            object_id=policy.pk,
            payload=policy_payload(policy),
            actor=actor,
        )
    return quote


def policy_payload(policy: Policy) -> dict[str, Any]:
    """What the commission engine settles on: the sale as it stood when the policy was issued."""
    return {
        "quote_id": policy.quote_id,
        "number": policy.number,
        "line": policy.line,
        "insurer": policy.insurer.code,
        "customer_id": policy.customer_id,
        "promoter_id": policy.promoter_id,
        "premium": format(policy.premium, "f"),
        "commission_rate": format(policy.commission_rate, "f"),
        "commission": format(round_cny(policy.premium * policy.commission_rate), "f"),
        "issued_at": policy.issued_at.isoformat(),
    }


def amount_due(quote: Quote) -> Decimal:
    """What the customer owes for an issued quote: its total less what the insurer refunded on
    policies surrendered before payment (the refund is netted, never paid out and charged again)."""
    refunded = sum(
        (p.refund_amount or Decimal("0") for p in quote.policies.all() if p.status == PolicyStatus.CANCELLED),
        Decimal("0"),
    )
    return round_cny(quote.premium - refunded)


def in_force_premium(quote: Quote) -> Decimal:
    """The premium of the quote's policies still in force: what 业绩 counts for it (车船税 is a tax,
    not premium; a surrendered policy counts nothing, as in the volume bonus's basis)."""
    return sum((p.premium for p in quote.policies.all() if p.status == PolicyStatus.ACTIVE), Decimal("0.00"))


@transaction.atomic
def quote_pay(
    *, actor: User, role: str, quote: Quote, method: str, reference: str = "", amount: Decimal | None = None
) -> Quote:
    """确认收款 for an issued quote. A quote whose every policy was surrendered is 已退保 and takes no
    payment (409); after a partial surrender the amount due is the total less the refunds."""
    quote = _locked(quote, "pay")
    due = amount_due(quote)
    if amount is not None and amount != due:
        raise ValidationFailed(fields={"amount": [f"收款金额应为应收合计 {due}"]})
    payment = Payment.objects.create(
        quote=quote, amount=due, method=method, reference=reference, paid_at=timezone.now(),
        recorded_by=actor,
    )  # fmt: skip
    quote = _move(quote, "pay", actor=actor, role=role, note=f"{payment.get_method_display()} ¥{payment.amount}",
                  data={"method": method, "reference": reference, "amount": format(payment.amount, "f")})  # fmt: skip
    emit("quote.paid", object_type="quote", object_id=quote.pk,
         payload={"number": quote.number, "amount": format(payment.amount, "f"), "method": method}, actor=actor)  # fmt: skip
    return quote


@transaction.atomic
def quote_cancel(*, actor: User, role: str, quote: Quote, reason: str = "") -> Quote:
    quote = _locked(quote, "cancel")
    return _move(quote, "cancel", actor=actor, role=role, note=reason)


def quotes_expire(*, today: date | None = None) -> int:
    """Mark open quotes past their validity as expired (the daily task); returns how many."""
    today = today or timezone.localdate()
    count = 0
    for pk in Quote.objects.filter(status__in=OPEN_STATUSES, valid_until__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            quote = Quote.objects.select_for_update().get(pk=pk)
            if quote.status in OPEN_STATUSES and quote.valid_until < today:
                _move(quote, "expire", actor=None, role="system", note=f"有效期至 {quote.valid_until}")
                count += 1
    return count


@transaction.atomic
def policy_surrender(
    *, actor: User, role: str, policy: Policy, refund_amount: Decimal, reason: str
) -> Policy:
    """退保: the insurer cancels the policy and refunds part of the premium. ``policy.cancelled``
    carries the original rates, so the commission engine claws back exactly what it paid."""
    policy = Policy.objects.select_for_update().select_related("insurer").get(pk=policy.pk)
    if policy.status != PolicyStatus.ACTIVE:
        raise StateConflict(f"保单 {policy.number} 已退保", code="policy_already_cancelled")
    errors = FieldErrors()
    if refund_amount < 0 or refund_amount > policy.premium:
        errors.add("refund_amount", f"退费金额应在 0 到保费 {policy.premium} 之间")
    if not reason.strip():
        errors.add("reason", "请填写退保原因")
    errors.raise_if_any()
    try:
        gateway_for(policy.insurer).cancel(
            insurer=policy.insurer, number=policy.number, refund_amount=refund_amount
        )
    except GatewayError as exc:
        raise StateConflict(f"{policy.insurer.short_name}退保失败：{exc}", code="insurer_refused") from None
    policy.status = PolicyStatus.CANCELLED
    policy.cancelled_at = timezone.now()
    policy.refund_amount = round_cny(refund_amount)
    policy.cancel_reason = reason.strip()[:200]
    policy.save()
    quote = Quote.objects.select_for_update().get(pk=policy.quote_id)
    from_status = quote.status
    in_force = quote.policies.filter(status=PolicyStatus.ACTIVE).exists()
    if not in_force and quote.status in TRANSITIONS["surrender"][0]:
        quote.status = QuoteStatus.SURRENDERED  # lists, filters and payment follow the policies
        quote.save(update_fields=["status", "updated_at"])
    _event(quote, "surrender", from_status=from_status, actor=actor, role=role,
           note=f"{policy.get_line_display()} {policy.number} 退费 ¥{policy.refund_amount}：{policy.cancel_reason}",
           data={"policy": policy.pk, "refund_amount": format(policy.refund_amount, "f"),
                 "in_force": in_force})  # fmt: skip
    audit_event_record(
        actor=actor,
        action="policy.surrender",
        summary=f"保单 {policy.number} 退保，退费 {policy.refund_amount}",
        object_type="policy",
        object_id=policy.pk,
    )
    emit(
        "policy.cancelled",
        object_type="policy",
        object_id=policy.pk,
        payload={
            **policy_payload(policy),
            "refund_amount": format(policy.refund_amount, "f"),
            "refund_ratio": format((policy.refund_amount / policy.premium).quantize(Decimal("0.000001")), "f")
            if policy.premium
            else "0",
            "cancelled_at": policy.cancelled_at.isoformat(),
            "reason": policy.cancel_reason,
        },
        actor=actor,
    )
    return policy


# ---- the tenant's insurers -------------------------------------------------------------------


@transaction.atomic
def insurer_terms_set(
    *,
    actor: User,
    insurer: Insurer,
    enabled: bool,
    ctpl_commission_rate: Decimal,
    commercial_commission_rate: Decimal,
    autonomous_pricing_factor: Decimal | None = None,
) -> InsurerTerms:
    errors = FieldErrors()
    if not Decimal("0") <= ctpl_commission_rate <= MAX_CTPL_COMMISSION:
        errors.add("ctpl_commission_rate", "交强险手续费率不得超过保费的 4%")
    if not Decimal("0") <= commercial_commission_rate < Decimal("1"):
        errors.add("commercial_commission_rate", "商业险手续费率应在 0 到 100% 之间")
    if autonomous_pricing_factor is not None and not (
        insurer.factor_min <= autonomous_pricing_factor <= insurer.factor_max
    ):
        errors.add(
            "autonomous_pricing_factor",
            f"{insurer.short_name}的自主定价系数应在 {insurer.factor_min}–{insurer.factor_max} 之间",
        )
    errors.raise_if_any()
    terms, _ = InsurerTerms.objects.select_for_update().get_or_create(insurer=insurer)
    terms.enabled = enabled
    terms.ctpl_commission_rate = ctpl_commission_rate
    terms.commercial_commission_rate = commercial_commission_rate
    terms.autonomous_pricing_factor = autonomous_pricing_factor
    terms.save()
    audit_event_record(
        actor=actor,
        action="insurer.terms",
        summary=(
            f"{insurer.short_name}：{'开通' if enabled else '停用'}，交强险手续费 {ctpl_commission_rate}，"
            f"商业险手续费 {commercial_commission_rate}"
        ),
        object_type="insurer",
        object_id=insurer.code,
    )
    return terms


@transaction.atomic
def tenant_rating_table_set(
    *, actor: User, insurer: Insurer, use: str, name: str, coverages: Any
) -> TenantRatingTable:
    """The tenant's own 商业险 table for an insurer and 使用性质 (checked before it is saved)."""
    if use not in RatingUse.__members__.values():
        raise ValidationFailed(fields={"use": [f"未知的使用性质：{use}"]})
    if not name.strip():
        raise ValidationFailed(fields={"name": ["请填写费率表名称"]})
    try:
        table_from_data(insurer=insurer.name, name=name, coverages=coverages)
    except RatingTableInvalid as exc:
        raise ValidationFailed(exc.message, fields={exc.field: [exc.message]}) from None
    table, _ = TenantRatingTable.objects.update_or_create(
        insurer=insurer, use=use, defaults={"name": name.strip(), "coverages": coverages}
    )
    audit_event_record(
        actor=actor,
        action="insurer.rating_table",
        summary=f"{insurer.short_name} {name} 费率表已更新",
        object_type="insurer",
        object_id=insurer.code,
    )
    return table


@transaction.atomic
def vehicle_tax_table_set(*, actor: User, province: str, annual_tax: list[Decimal]) -> TenantVehicleTaxTable:
    """Keep the tenant's 车船税 amounts for a province: seven bands, each inside its legal range."""
    try:
        region = region_name(province)
    except RatingError as exc:
        raise ValidationFailed(exc.message, fields={"province": [exc.message]}) from None
    labels = DISPLACEMENT_BANDS.labels
    if len(annual_tax) != len(labels):
        raise ValidationFailed(fields={"annual_tax": [f"应有 {len(labels)} 档：{'、'.join(labels)}"]})
    problems = vehicle_tax_table_problems(VehicleTaxTable(province=region, annual_tax=tuple(annual_tax)))
    if problems:
        errors = FieldErrors()
        for index, label in enumerate(labels):
            for problem in problems:
                if problem.startswith(f"{label}："):
                    errors.add(f"annual_tax.{index}", problem)
        errors.raise_if_any("车船税额超出法定范围")
    table, _ = TenantVehicleTaxTable.objects.update_or_create(
        province=region, defaults={"annual_tax": [format(amount, "f") for amount in annual_tax]}
    )
    audit_event_record(
        actor=actor,
        action="vehicle_tax.table",
        summary=f"{region} 车船税表：{'、'.join(table.annual_tax)}",
        object_type="vehicle_tax_table",
        object_id=region,
    )
    return table
