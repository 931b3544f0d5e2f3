"""The service order flow (施工申请 → 接受订单 → 报价 → 车主/保险公司确认 → 施工 → 完工 → 结算 → 事后评价).

Every step is a function here: it checks who acts and the state (anything else is a 409 naming
the state), writes the order and a ``ProgressEvent`` in one transaction, and after the commit pushes
the step to the owner, the owner's agent, the shop and, for a claim, the insurer (``core.realtime``),
and records a ``service_order.<state>`` domain event in the tenant's schema for notifications.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import uuid4

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Membership, Role, User
from aftersales.models import (
    Decision,
    ItemKind,
    OrderState,
    PaymentMethod,
    ProgressEvent,
    Review,
    ServiceItem,
    ServiceOrder,
    ShopProduct,
    ShopProductKind,
)
from core import global_cache, realtime
from core.bulk import insert, update
from core.errors import FieldErrors, NotFound, PermissionDenied, StateConflict
from core.events import emit
from core.money import round_cny
from core.prepared import Prepared
from directory.models import Insurer, Shop
from tenants.models import Tenant

OPEN_FOR_CANCEL = (OrderState.REQUESTED, OrderState.ACCEPTED, OrderState.QUOTED)
STEP_TITLES = {
    OrderState.REQUESTED: "车主提交施工申请",
    OrderState.ACCEPTED: "门店已接单",
    OrderState.QUOTED: "门店已检测并报价",
    OrderState.APPROVED: "维修项目已确认",
    OrderState.IN_PROGRESS: "开始施工",
    OrderState.COMPLETED: "施工完成",
    OrderState.SETTLED: "已结算",
    OrderState.REVIEWED: "车主已评价",
    OrderState.REJECTED: "门店拒单",
    OrderState.CANCELLED: "订单已取消",
}


@dataclass(frozen=True)
class Actor:
    """Who acts, and as what: ``owner``, ``shop`` (staff of ``shop_id``), ``insurer`` (staff of
    ``insurer_id``)."""

    user: User
    role: str
    shop_id: int | None = None
    insurer_id: int | None = None


def _require_state(order: ServiceOrder, allowed: Iterable[str], action: str) -> None:
    allowed = tuple(allowed)
    if order.state not in allowed:
        wanted = "、".join(OrderState(s).label for s in allowed)
        raise StateConflict(
            f"工单 {order.no} 当前为「{order.get_state_display()}」，不能{action}（需要：{wanted}）",
            code="service_order_invalid_transition",
        )


def _require(actor: Actor, order: ServiceOrder, *roles: str) -> None:
    ok = (
        ("owner" in roles and actor.role == "owner" and order.owner_id == actor.user.pk)
        or ("shop" in roles and actor.role == "shop" and order.shop_id == actor.shop_id)
        or ("insurer" in roles and actor.role == "insurer" and order.insurer_id == actor.insurer_id)
    )
    if not ok:
        raise PermissionDenied("无权操作此工单")


def locked_read(
    rows: QuerySet[ServiceOrder], pk: int, *, tenant: bool = True, shop: bool = True
) -> QuerySet[ServiceOrder]:
    """What a step locks: the order ``pk`` among ``rows`` (the orders its viewer may see), with its
    tenant (its schema names the channels and the event's outbox) and what the step's answer shows
    of the order (shop, insurer, review). Only the order's row is locked. The views prepare it per
    kind of viewer (``core.prepared``); ``_locked`` runs it when they did not. ``shop=False`` or
    ``tenant=False``: the viewer has that row already (a shop's staff act on their own shop's
    orders only, an owner on the orders of the tenant whose host they are on)."""
    related = [name for name, wanted in (("tenant", tenant), ("shop", shop)) if wanted]
    return (
        rows.select_for_update(of=("self",))
        .select_related(*related, "insurer", "review")
        .filter(pk=pk)
        .order_by()  # one row by its key: no sort
    )


def _locked(order: ServiceOrder) -> ServiceOrder:
    # The view answers with this row, its items and progress, instead of reading the order again.
    # An order the view has not read (``api.v1.aftersales.common.unread``) is looked for among the
    # orders its viewer may see: not there is a 404, as a read before the lock would have said.
    prepared = getattr(order, "locked_by", None)
    if prepared is not None:
        found = prepared()
    else:
        rows = getattr(order, "visible_in", None)
        found = locked_read(ServiceOrder.objects.all() if rows is None else rows, order.pk).first()
    if found is None:
        raise NotFound("工单不存在", code="service_order_not_found")
    return found


ITEMS = Prepared(lambda order_id: ServiceItem.objects.filter(order_id=order_id))
PROGRESS = Prepared(lambda order_id: ProgressEvent.objects.filter(order_id=order_id))


def with_read(order: ServiceOrder, name: str) -> list[Any]:
    """The order's ``items`` or ``progress``, read once (a prepared read) and kept where
    ``prefetch_related`` keeps them, so ``order.items.all()`` answers without a query."""
    cache = order.__dict__.setdefault("_prefetched_objects_cache", {})
    if name not in cache:
        model, read = (ServiceItem, ITEMS) if name == "items" else (ProgressEvent, PROGRESS)
        rows = read.all(order_id=order.pk)
        field = model._meta.get_field("order")
        for row in rows:
            field.set_cached_value(row, order)  # what the prefetch sets: row.order is this order
        kept: Any = model.objects.filter(order_id=order.pk)
        kept._result_cache, kept._prefetch_done = rows, True
        cache[name] = kept
    return list(cache[name])


def _with_items(order: ServiceOrder) -> list[ServiceItem]:
    """The order's items, read once for the step and its answer (``step_answer`` finds them)."""
    return with_read(order, "items")


def _items_known(order: ServiceOrder, items: list[ServiceItem]) -> None:
    """The items the step has just written (in their order: ``sort``, then id), cached on the order
    as ``prefetch_related_objects`` would (``step_answer`` finds them: no read after the commit)."""
    rows = ServiceItem.objects.filter(order_id=order.pk)
    rows._result_cache = sorted(items, key=lambda item: (item.sort, item.pk))
    order.__dict__.setdefault("_prefetched_objects_cache", {})["items"] = rows


def _staff_ids(tenant_id: int) -> list[int]:
    """The tenant's active admins and finance (they follow every order on 售后工单): cached per
    tenant, dropped whenever a membership is saved or deleted (``aftersales.apps``)."""
    return global_cache.read_through(
        staff_cache_key(tenant_id),
        STAFF_CACHE_SECONDS,
        lambda: list(
            Membership.objects.filter(
                tenant_id=tenant_id, role__in=(Role.TENANT_ADMIN, Role.FINANCE), is_active=True
            ).values_list("user_id", flat=True)
        ),
    )


STAFF_CACHE_SECONDS = 300


def staff_cache_key(tenant_id: int) -> str:
    return f"aftersales:tenant-staff:{tenant_id}"


def staff_forget(tenant_id: int | None) -> None:
    """A membership changed: the tenant's staff are read again (now, and after the commit, so a
    step that read the old rows meanwhile does not keep them)."""
    if tenant_id is None:
        return
    global_cache.forget(staff_cache_key(tenant_id))


def _step(
    order: ServiceOrder,
    actor: Actor | None,
    state: str,
    note: str = "",
    photos: list[str] | None = None,
    *,
    also: tuple[str, ...] = (),
) -> ProgressEvent:
    """Record the step and announce it after the commit; returns the ``ProgressEvent`` written. The
    request writes the order (its state, ``updated_at`` and the fields named in ``also``), the step
    and the outbox event only: whoever is told in an inbox (the owner and agent in the tenant's
    schema, the shop's and insurer's staff on the platform host) is told by the notices consumer in
    the worker (``notices.dispatch``), in the order of the outbox."""
    order.state = state
    update(order, ["state", "updated_at", *also])  # order.save(update_fields=...), built once
    progress = ProgressEvent(
        order=order, state=state, title=STEP_TITLES[OrderState(state)], note=note, photos=list(photos or []),
        actor=actor.user if actor else None, actor_name=actor.user.name if actor else "",
        actor_role=actor.role if actor else "",
    )  # fmt: skip
    insert([progress])  # ProgressEvent.objects.create, built once
    payload = {
        "order_id": order.pk,
        "no": order.no,
        "state": state,
        "state_label": OrderState(state).label,
        "title": STEP_TITLES[OrderState(state)],
        "plate": order.plate,
        "owner_user_id": order.owner_id,
        "agent_user_id": order.agent_id,
        "shop_id": order.shop_id,
        "insurer_id": order.insurer_id,
        "step_id": progress.pk,
    }
    schema = order.tenant.schema_name
    channels = [realtime.user_channel(order.owner_id, schema), realtime.shop_channel(order.shop_id)]
    if order.agent_id:
        channels.append(realtime.user_channel(order.agent_id, schema))
    if order.insurer_id:
        channels.append(realtime.insurer_channel(order.insurer_id))
    # the tenant's admins and finance follow every order on 售后工单
    channels += [realtime.user_channel(user_id, schema) for user_id in _staff_ids(order.tenant_id)]
    realtime.publish(channels, f"service_order.{state}", payload)
    # the outbox is the tenant's: written there from the platform host too (the shop's and insurer's
    # steps) without switching the connection to it and back (two SET search_path round trips)
    emit(f"service_order.{state}", object_type="service_order", object_id=order.pk, payload=payload,
         actor=actor.user if actor else None, schema=schema)  # fmt: skip
    return progress


def _next_no(order: ServiceOrder) -> str:
    return f"SO{timezone.localdate():%Y%m%d}{order.pk:06d}"


# ---- the owner -------------------------------------------------------------------------------


def _owners_customer(user_id: int) -> QuerySet[Any]:
    from customers.models import Customer

    return Customer.objects.select_related("promoter__user").filter(user_id=user_id)


def _customers_vehicle(pk: int, customer_id: int) -> QuerySet[Any]:
    from customers.models import Vehicle

    return Vehicle.objects.filter(pk=pk, customer_id=customer_id)


def _active_shop(pk: int) -> QuerySet[Shop]:
    """An active shop, with whether the tenant (the connection's schema) partners with it."""
    from catalog.models import PartnerShop

    return Shop.objects.filter(pk=pk, active=True).annotate(
        partner=Exists(PartnerShop.objects.filter(shop=OuterRef("pk")))
    )


# 施工申请's reads (prepared: ``core.prepared``): the owner's linked record with the agent who
# referred them (else ``customer_for_owner`` links one found by mobile), their car, the shop
_OWNERS_CUSTOMER = Prepared(_owners_customer)
_CUSTOMERS_VEHICLE = Prepared(_customers_vehicle)
_ACTIVE_SHOP = Prepared(_active_shop)


@transaction.atomic
def order_request(
    *,
    actor: User,
    tenant: Tenant,
    shop_id: Any,
    vehicle_id: Any,
    service: str,
    description: str,
    mileage_km: int | None = None,
    insurer_id: Any = None,
    claim_no: str = "",
) -> ServiceOrder:
    """施工申请 from the owner's H5, in ``tenant``'s schema: one of their vehicles, at a shop the
    tenant partners with (or owns), optionally as a claim with an insurer the tenant works with."""
    from customers.services import customer_for_owner
    from quotes.models import InsurerTerms

    errors = FieldErrors()
    customer = _OWNERS_CUSTOMER.first(user_id=actor.pk) or customer_for_owner(user=actor)
    if customer is None:
        raise NotFound("还没有您的客户档案：添加一辆车即可开始")
    vehicle = _CUSTOMERS_VEHICLE.first(pk=_int(vehicle_id), customer_id=customer.pk)
    if vehicle is None:
        errors.add("vehicle", "请选择您名下的车辆")
    shop = _ACTIVE_SHOP.first(pk=_int(shop_id))
    partner = getattr(shop, "partner", False)  # the annotation
    if shop is None or not (shop.owner_tenant_id == tenant.pk or partner):
        errors.add("shop", "请选择合作门店")
        shop = None
    service = (service or "").strip()
    if not service:
        errors.add("service", "请选择服务项目")
    elif shop is not None and shop.services and service not in shop.services:
        errors.add("service", f"{shop.name} 不提供「{service}」，可选：{'、'.join(shop.services)}")
    description = (description or "").strip()
    if not description:
        errors.add("description", "请描述需要处理的问题")
    elif len(description) > 2000:
        errors.add("description", "描述最多 2000 字")
    if mileage_km is not None and not 0 <= mileage_km <= 2_000_000:
        errors.add("mileage_km", "里程应在 0 到 2000000 公里之间")
    insurer = None
    claim_no = (claim_no or "").strip()
    if insurer_id not in (None, ""):
        insurer = Insurer.objects.filter(pk=_int(insurer_id)).first()
        if insurer is None or not InsurerTerms.objects.filter(insurer=insurer, enabled=True).exists():
            errors.add("insurer", "请选择本平台合作的保险公司")
        if not claim_no:
            errors.add("claim_no", "理赔工单请填写报案号")
        elif len(claim_no) > 40:
            errors.add("claim_no", "报案号最多 40 位")
    elif claim_no:
        errors.add("insurer", "填写了报案号，请选择保险公司")
    errors.raise_if_any()
    assert vehicle is not None and shop is not None
    agent = customer.promoter.user if customer.promoter_id and customer.promoter else None
    order = ServiceOrder(
        no=f"tmp{uuid4().hex[:20]}", tenant=tenant, shop=shop, owner=actor,
        customer_id=customer.pk, vehicle_id=vehicle.pk, customer_name=customer.name, customer_mobile=customer.mobile,
        plate=vehicle.plate, vehicle_model=vehicle.brand_model, agent=agent, service=service,
        description=description, mileage_km=mileage_km, insurer=insurer if insurer else None, claim_no=claim_no,
    )  # fmt: skip
    insert([order])  # ServiceOrder.objects.create, its SQL built once per process
    order.no = _next_no(order)
    ServiceOrder.review.related.set_cached_value(order, None)  # a new order has no review (the answer asks)
    # its progress is the one step written here: kept for the answer, which then reads none of it
    order.requested_step = _step(  # type: ignore[attr-defined]
        order, Actor(actor, "owner"), OrderState.REQUESTED, note=description[:500], also=("no",)
    )
    return order


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@transaction.atomic
def order_cancel(*, actor: Actor, order: ServiceOrder, reason: str = "") -> ServiceOrder:
    order = _locked(order)
    _require(actor, order, "owner", "shop")
    _require_state(order, OPEN_FOR_CANCEL, "取消")
    _step(order, actor, OrderState.CANCELLED, note=(reason or "").strip()[:500])
    return order


def _decide(
    errors: FieldErrors, order: ServiceOrder, decisions: list[dict[str, Any]], field: str
) -> dict[int, str]:
    items = {item.pk: item for item in _with_items(order)}
    chosen: dict[int, str] = {}
    for index, row in enumerate(decisions or []):
        item_id, decision = _int(row.get("item")), row.get("decision")
        if item_id not in items:
            errors.add(f"items.{index}.item", "不是此工单的项目")
        elif decision not in (Decision.APPROVED, Decision.DECLINED):
            errors.add(f"items.{index}.decision", "应为 approved（同意）或 declined（不同意）")
        else:
            chosen[item_id] = decision
    missing = [items[pk].name for pk in items if pk not in chosen]
    if missing and not errors:
        errors.add("items", f"请逐项确认：{'、'.join(missing)}")
    return chosen


def _decisions_write(order: ServiceOrder, chosen: dict[int, str], field: str) -> None:
    """Each item's decision (``field``: ``owner_decision`` or ``insurer_decision``), on the items
    read under the lock and in the database: one UPDATE whatever the decisions (what bulk_update
    writes, without compiling its CASE over the ids)."""
    items = _with_items(order)
    for item in items:
        setattr(item, field, chosen[item.pk])
    column = connection.ops.quote_name(field)  # a plain column, named as the field
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(ServiceItem._meta.db_table)} AS i SET {column} = v.decision"
            " FROM unnest(%s::bigint[], %s::varchar[]) AS v(id, decision) WHERE i.id = v.id",
            [[item.pk for item in items], [chosen[item.pk] for item in items]],
        )


def _approve_if_done(order: ServiceOrder, actor: Actor, *, also: tuple[str, ...]) -> None:
    """The step to 已确认 once every decision is in (writing ``also`` with it); else ``also`` only."""
    items = _with_items(order)
    owner_done = all(i.owner_decision != Decision.PENDING for i in items)
    insurer_done = not order.is_claim or all(i.insurer_decision != Decision.PENDING for i in items)
    if owner_done and insurer_done:
        if not any(approved(i, order) for i in items):
            raise StateConflict(
                "没有同意的项目：如不需要维修，请取消工单", code="service_order_nothing_approved"
            )
        _step(
            order, actor, OrderState.APPROVED, note=f"确认金额 {approved_total(order, items)} 元", also=also
        )
    else:
        order.save(update_fields=[*also, "updated_at"])


@transaction.atomic
def order_owner_approve(
    *, actor: Actor, order: ServiceOrder, decisions: list[dict[str, Any]]
) -> ServiceOrder:
    """The owner accepts or declines each item of the estimate (all of them, once)."""
    order = _locked(order)
    _require(actor, order, "owner")
    _require_state(order, (OrderState.QUOTED,), "确认报价")
    if order.owner_approved_at:
        raise StateConflict("您已确认过此报价", code="service_order_already_approved")
    errors = FieldErrors()
    chosen = _decide(errors, order, decisions, "items")
    errors.raise_if_any()
    _decisions_write(order, chosen, "owner_decision")
    if not any(d == Decision.APPROVED for d in chosen.values()):
        raise StateConflict("没有同意的项目：如不需要维修，请取消工单", code="service_order_nothing_approved")
    order.owner_approved_at = timezone.now()
    _approve_if_done(order, actor, also=("owner_approved_at",))
    return order


@transaction.atomic
def order_insurer_approve(
    *, actor: Actor, order: ServiceOrder, decisions: list[dict[str, Any]]
) -> ServiceOrder:
    """For a claim, the insurer approves each item too (核损)."""
    order = _locked(order)
    _require(actor, order, "insurer")
    _require_state(order, (OrderState.QUOTED,), "核损")
    if order.insurer_approved_at:
        raise StateConflict("已核损，不能重复确认", code="service_order_already_approved")
    errors = FieldErrors()
    chosen = _decide(errors, order, decisions, "items")
    errors.raise_if_any()
    _decisions_write(order, chosen, "insurer_decision")
    order.insurer_approved_at = timezone.now()
    ProgressEvent.objects.create(order=order, state=order.state, title="保险公司已核损", actor=actor.user,
                                 actor_name=actor.user.name, actor_role=actor.role)  # fmt: skip
    _approve_if_done(order, actor, also=("insurer_approved_at",))
    return order


@transaction.atomic
def order_review(
    *, actor: Actor, order: ServiceOrder, technical: Any, service: Any, comment: str = ""
) -> Review:
    """事后评价: once, by the owner, after the order is settled."""
    order = _locked(order)
    _require(actor, order, "owner")
    _require_state(order, (OrderState.SETTLED,), "评价")
    errors = FieldErrors()
    stars = {}
    for field, value in (("technical", technical), ("service", service)):
        n = _int(value)
        if not 1 <= n <= 5:
            errors.add(field, "评分应为 1 到 5 星")
        stars[field] = n
    if len((comment or "").strip()) > 500:
        errors.add("comment", "评价最多 500 字")
    errors.raise_if_any()
    review = Review.objects.create(order=order, shop_id=order.shop_id, tenant_id=order.tenant_id,
                                   comment=(comment or "").strip(), **stars)  # fmt: skip
    _step(order, actor, OrderState.REVIEWED, note=f"技术 {stars['technical']} 星，服务 {stars['service']} 星")
    return review


# ---- the shop --------------------------------------------------------------------------------


@transaction.atomic
def order_accept(*, actor: Actor, order: ServiceOrder, note: str = "") -> ServiceOrder:
    order = _locked(order)
    _require(actor, order, "shop")
    _require_state(order, (OrderState.REQUESTED,), "接单")
    _step(order, actor, OrderState.ACCEPTED, note=(note or "").strip()[:500])
    return order


@transaction.atomic
def order_reject(*, actor: Actor, order: ServiceOrder, reason: str) -> ServiceOrder:
    order = _locked(order)
    _require(actor, order, "shop")
    _require_state(order, (OrderState.REQUESTED,), "拒单")
    if not (reason or "").strip():
        errors = FieldErrors()
        errors.add("reason", "请填写拒单原因")
        errors.raise_if_any()
    _step(order, actor, OrderState.REJECTED, note=reason.strip()[:500])
    return order


def _decimal(errors: FieldErrors, field: str, value: Any, *, minimum: Decimal, maximum: Decimal) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.add(field, "应为数字")
        return Decimal(0)
    if not number.is_finite() or not minimum <= number <= maximum:
        errors.add(field, f"应在 {minimum} 到 {maximum} 之间")
        return Decimal(0)
    return number


@transaction.atomic
def order_estimate(
    *,
    actor: Actor,
    order: ServiceOrder,
    items: list[dict[str, Any]],
    note: str = "",
    photos: list[str] | None = None,
) -> ServiceOrder:
    """检测报价: the shop lists the parts (from its inventory; the purchase price is the part's) and
    labour (its cost given) with sale prices, and sends the estimate to the owner (and insurer)."""
    from inventory.services import parts_of

    order = _locked(order)
    _require(actor, order, "shop")
    _require_state(order, (OrderState.ACCEPTED,), "报价")
    errors = FieldErrors()
    if not items:
        errors.add("items", "请至少添加一个维修项目")
    parts = parts_of(order.shop_id, [_int(i.get("part")) for i in items or []])
    lines: list[ServiceItem] = []
    for index, row in enumerate(items or []):
        at = f"items.{index}"
        kind = row.get("kind")
        quantity = _decimal(
            errors, f"{at}.quantity", row.get("quantity", 1), minimum=Decimal("0.01"), maximum=Decimal(9999)
        )
        if kind == ItemKind.PART:
            part = parts.get(_int(row.get("part")))
            if part is None or not part.active:
                errors.add(f"{at}.part", "请选择本店库存中的配件")
                continue
            price = row.get("unit_price")
            unit_price = (
                part.sale_price
                if price in (None, "")
                else _decimal(
                    errors, f"{at}.unit_price", price, minimum=Decimal(0), maximum=Decimal(1_000_000)
                )
            )
            lines.append(ServiceItem(order=order, kind=kind, part=part, name=part.name, quantity=quantity,
                                     unit_price=unit_price, unit_cost=part.unit_cost, note=str(row.get("note") or "")[:200],
                                     photos=list(row.get("photos") or []), sort=index))  # fmt: skip
        elif kind == ItemKind.LABOUR:
            name = str(row.get("name") or "").strip()
            if not name:
                errors.add(f"{at}.name", "请填写工时项目名称")
            elif len(name) > 60:
                errors.add(f"{at}.name", "名称最多 60 字")
            unit_price = _decimal(
                errors,
                f"{at}.unit_price",
                row.get("unit_price"),
                minimum=Decimal(0),
                maximum=Decimal(1_000_000),
            )
            unit_cost = _decimal(
                errors,
                f"{at}.unit_cost",
                row.get("unit_cost", 0),
                minimum=Decimal(0),
                maximum=Decimal(1_000_000),
            )
            lines.append(ServiceItem(order=order, kind=kind, name=name, quantity=quantity, unit_price=unit_price,
                                     unit_cost=unit_cost, note=str(row.get("note") or "")[:200],
                                     photos=list(row.get("photos") or []), sort=index))  # fmt: skip
        else:
            errors.add(f"{at}.kind", "应为 part（配件）或 labour（工时）")
    errors.raise_if_any()
    for line in lines:
        line.amount = round_cny(line.quantity * line.unit_price)
        line.cost_amount = round_cny(line.quantity * line.unit_cost)
        if not order.is_claim:
            line.insurer_decision = Decision.PENDING
    # No delete of earlier items: an order is estimated once. Only 接单 leads to 已接单 (from 施工申请,
    # which has no items), and this step, the only one writing items, leaves it for 待确认报价.
    insert(lines)  # what bulk_create writes, not compiled each time
    _items_known(order, lines)
    total = sum((line.amount for line in lines), Decimal(0))
    _step(
        order,
        actor,
        OrderState.QUOTED,
        note=(note or f"报价合计 {total:.2f} 元").strip()[:500],
        photos=photos,
    )
    return order


@transaction.atomic
def order_start(*, actor: Actor, order: ServiceOrder, override_reason: str = "") -> ServiceOrder:
    """开始施工: the approved parts leave the shop's stock (all or none; short stock is a 409 naming
    the part unless the shop overrides with a reason)."""
    from inventory.services import stock_consume_within

    order = _locked(order)
    _require(actor, order, "shop")
    _require_state(order, (OrderState.APPROVED,), "开始施工")
    lines = [(i.part_id, i.quantity, i.name) for i in _with_items(order) if i.part_id and approved(i, order)]
    if lines:  # the shop came with the locked order; a refusal rolls the whole step back (no savepoint)
        stock_consume_within(
            actor=actor.user,
            shop=order.shop,
            lines=lines,
            reference=order.no,
            override_reason=override_reason,
        )
    _step(order, actor, OrderState.IN_PROGRESS)
    return order


@transaction.atomic
def order_complete(
    *, actor: Actor, order: ServiceOrder, note: str = "", photos: list[str] | None = None
) -> ServiceOrder:
    order = _locked(order)
    _require(actor, order, "shop")
    _require_state(order, (OrderState.IN_PROGRESS,), "完工")
    _step(order, actor, OrderState.COMPLETED, note=(note or "").strip()[:500], photos=photos)
    return order


@transaction.atomic
def order_settle(*, actor: Actor, order: ServiceOrder, payment_method: str = "") -> ServiceOrder:
    """结算: the approved items are charged; for a claim the insurer pays what it approved. For an
    owner's order the shop says how the owner paid (现金 / 微信 / 支付宝 / 银行卡 / 转账)."""
    order = _locked(order)
    _require(actor, order, "shop")
    _require_state(order, (OrderState.COMPLETED,), "结算")
    if order.is_claim:
        order.payment_method = PaymentMethod.INSURER
    else:
        owner_methods = [m for m in PaymentMethod.values if m != PaymentMethod.INSURER]
        if payment_method not in owner_methods:
            errors = FieldErrors()
            errors.add("payment_method", "请选择车主的支付方式（现金、微信、支付宝、银行卡或转账）")
            errors.raise_if_any("请选择车主的支付方式")
        order.payment_method = payment_method
    items = _with_items(order)
    order.settled_amount = approved_total(order, items)
    order.insurer_pays = order.settled_amount if order.is_claim else Decimal("0.00")
    payer = (
        f"保险公司支付 {order.insurer_pays:.2f} 元"
        if order.is_claim
        else f"车主{PaymentMethod(payment_method).label}支付 {order.settled_amount:.2f} 元"
    )
    _step(
        order,
        actor,
        OrderState.SETTLED,
        note=payer,
        also=("payment_method", "settled_amount", "insurer_pays"),
    )
    return order


# ---- figures ---------------------------------------------------------------------------------


def approved(item: ServiceItem, order: ServiceOrder) -> bool:
    return item.owner_decision == Decision.APPROVED and (
        not order.is_claim or item.insurer_decision == Decision.APPROVED
    )


def approved_total(order: ServiceOrder, items: list[ServiceItem]) -> Decimal:
    return sum((i.amount for i in items if approved(i, order)), Decimal("0.00"))


APPROVED_ITEM = Q(owner_decision=Decision.APPROVED) & (
    Q(order__insurer__isnull=True) | Q(insurer_decision=Decision.APPROVED)
)


# ---- the shop's own products -----------------------------------------------------------------


@transaction.atomic
def shop_product_save(
    *,
    actor: User,
    shop: Shop,
    product: ShopProduct | None = None,
    kind: str,
    name: str,
    market_price: Any,
    price: Any,
    description: str = "",
    image_url: str = "",
    active: bool = True,
) -> ShopProduct:
    """Create (``product=None``) or edit one of ``shop``'s own products."""
    errors = FieldErrors()
    if kind not in ShopProductKind.values:
        errors.add("kind", "应为 goods（商品）或 service（服务项目）")
    name = (name or "").strip()
    if not name:
        errors.add("name", "请填写名称")
    elif ShopProduct.objects.filter(shop=shop, name=name).exclude(pk=product.pk if product else 0).exists():
        errors.add("name", f"本店已有「{name}」")
    top = Decimal(1_000_000)
    price_d = _decimal(errors, "price", price, minimum=Decimal(0), maximum=top)
    market_d = _decimal(errors, "market_price", market_price, minimum=Decimal(0), maximum=top)
    if not errors and market_d < price_d:
        errors.add("market_price", "市场价不应低于售价")
    if image_url:
        try:
            URLValidator(schemes=["http", "https"])(image_url.strip())
        except DjangoValidationError:
            errors.add("image_url", "图片地址应为 http(s) 链接")
    errors.raise_if_any()
    product = product or ShopProduct(shop=shop)
    product.kind, product.name, product.description = kind, name, (description or "").strip()[:500]
    product.market_price, product.price = round_cny(market_d), round_cny(price_d)
    product.image_url, product.active = (image_url or "").strip(), active
    product.save()
    return product
