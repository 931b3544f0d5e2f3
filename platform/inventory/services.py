"""Writes to a shop's inventory. Every change of ``Part.stock`` happens here, with the part row
locked (``select_for_update``) and one ``StockMove`` explaining it, in one transaction: concurrent
consumptions queue on the row and none loses another's update.

Stock never goes below zero unless the caller passes an explicit ``override_reason``, which is
recorded on the move. A part crossing its reorder level (from above to at-or-below) emits
``part.low_stock`` and pushes it to the shop's staff."""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from core.bulk import insert
from core.errors import FieldErrors, NotFound, StateConflict
from core.events import emit
from core.realtime import publish, shop_channel
from core.services import audit_event_record
from directory.models import Shop
from inventory.models import MoveKind, Part, ServicePart, StockMove

MAX_QUANTITY = Decimal("9999999999.99")


def qty_text(value: Decimal) -> str:
    """4.00 → "4", 4.50 → "4.5" (for messages people read)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _decimal(errors: FieldErrors, field: str, value: Any, *, minimum: Decimal | None = Decimal(0)) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        errors.add(field, "应为数字")
        return Decimal(0)
    if not number.is_finite() or abs(number) > MAX_QUANTITY:
        errors.add(field, "数值超出范围")
    elif minimum is not None and number < minimum:
        errors.add(field, f"不能小于 {qty_text(minimum)}")
    return number


@transaction.atomic
def part_save(
    *,
    actor: User | None,
    shop: Shop,
    part: Part | None = None,
    code: str,
    name: str,
    unit: str = "个",
    unit_cost: Decimal | str = Decimal(0),
    sale_price: Decimal | str = Decimal(0),
    reorder_level: Decimal | str = Decimal(0),
    active: bool = True,
) -> Part:
    """Create (``part=None``) or edit a part of ``shop``. The stock figure is not edited here: it
    moves only through purchases, consumptions and adjustments."""
    errors = FieldErrors()
    code, name, unit = (code or "").strip().upper(), (name or "").strip(), (unit or "").strip()
    if not code:
        errors.add("code", "请填写配件编码")
    elif len(code) > 40:
        errors.add("code", "编码最多 40 个字符")
    elif Part.objects.filter(shop=shop, code=code).exclude(pk=part.pk if part else 0).exists():
        errors.add("code", f"编码 {code} 已存在")
    if not name:
        errors.add("name", "请填写配件名称")
    if not unit:
        errors.add("unit", "请填写单位")
    cost = _decimal(errors, "unit_cost", unit_cost)
    price = _decimal(errors, "sale_price", sale_price)
    level = _decimal(errors, "reorder_level", reorder_level)
    errors.raise_if_any()
    if part is None:
        part = Part(shop=shop)
    elif part.shop_id != shop.pk:
        raise NotFound("配件不存在")
    part.code, part.name, part.unit, part.active = code, name[:60], unit[:10], active
    part.unit_cost, part.sale_price, part.reorder_level = cost, price, level
    part.save()
    audit_event_record(actor=actor, action="part.save", summary=f"{shop.name} 配件 {code} {name}",
                       object_type="part", object_id=part.pk)  # fmt: skip
    return part


def _locked_parts(shop: Shop, part_ids: Iterable[int]) -> dict[int, Part]:
    # Always lock in id order, so two calls touching the same parts cannot deadlock.
    rows = Part.objects.select_for_update().filter(shop=shop, pk__in=set(part_ids)).order_by("pk")
    return {part.pk: part for part in rows}


@cache
def _parts_sql(lock: bool) -> tuple[str, list[str]]:
    """``parts_of``'s read as SQL, and the attributes its columns fill (every field of the part)."""
    quote = connection.ops.quote_name
    fields = Part._meta.concrete_fields
    sql = (
        f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(Part._meta.db_table)}"
        " WHERE shop_id = %s AND id = ANY(%s) ORDER BY id" + (" FOR UPDATE" if lock else "")
    )
    return sql, [f.attname for f in fields]


def parts_of(shop_id: int, part_ids: Iterable[int], *, lock: bool = False) -> dict[int, Part]:
    """The parts of shop ``shop_id`` among ``part_ids`` by id (in id order; with ``lock``, locked
    in that order, as ``_locked_parts``), read without compiling the read: a part has no column
    the database hands back in another form than its field keeps."""
    sql, names = _parts_sql(lock)
    with connection.cursor() as cursor:
        cursor.execute(sql, [shop_id, sorted(set(part_ids))])
        rows = cursor.fetchall()
    return {part.pk: part for part in (Part.from_db(connection.alias, names, row) for row in rows)}


def _move(
    *,
    actor: User | None,
    part: Part,
    kind: str,
    quantity: Decimal,
    unit_cost: Decimal | None = None,
    reference: str = "",
    note: str = "",
    reason: str = "",
    override_reason: str = "",
    reverses: StockMove | None = None,
) -> StockMove:
    """Apply ``quantity`` to the (already locked) part and write the move that explains it."""
    before = part.stock
    part.stock = before + quantity
    part.save(update_fields=["stock", "updated_at"])
    move = StockMove.objects.create(
        part=part, shop_id=part.shop_id, kind=kind, quantity=quantity, unit_cost=unit_cost, stock_after=part.stock,
        reference=reference[:60], note=note[:200], reason=reason[:200],
        override_reason=override_reason[:200] if part.stock < 0 else "", reverses=reverses,
        created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    if before > part.reorder_level >= part.stock:
        _low_stock(part, move)
    return move


def _consumed_write(parts: list[Part], moves: list[StockMove]) -> None:
    """The (already locked) parts' stock as it is now in memory and the new ``moves``, in one
    statement: what ``part.save(update_fields=["stock", "updated_at"])`` for each part and
    ``StockMove.objects.bulk_create(moves)`` write, without compiling either."""
    now = timezone.now()
    for part in parts:
        part.updated_at = now
    insert(
        moves,
        before=f"WITH stock AS (UPDATE {connection.ops.quote_name(Part._meta.db_table)} AS p"
        " SET stock = v.stock, updated_at = %s FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, stock)"
        " WHERE p.id = v.id)",
        params=[now, [part.pk for part in parts], [part.stock for part in parts]],
    )


def _low_stock(part: Part, move: StockMove) -> None:
    # the stock after this move (the part may have moved again since, in the same call)
    data = {"part": part.pk, "code": part.code, "name": part.name, "stock": str(move.stock_after),
            "reorder_level": str(part.reorder_level), "shop": part.shop_id}  # fmt: skip
    emit("part.low_stock", object_type="part", object_id=part.pk, payload=data)
    publish([shop_channel(part.shop_id)], "part.low_stock", data)
    from notices.services import low_stock_staff_notify  # the shop's staff's inbox

    low_stock_staff_notify(shop_id=part.shop_id, move_id=move.pk, data=data)


def _reason(errors: FieldErrors, field: str, text: str, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        errors.add(field, "请填写原因")
    elif len(text) > 200:
        errors.add(field, "最多 200 个字符")
    return text


@transaction.atomic
def stock_purchase(
    *,
    actor: User | None,
    part: Part,
    quantity: Decimal | str,
    unit_cost: Decimal | str,
    note: str = "",
) -> StockMove:
    """采购入库: ``quantity`` arrives at ``unit_cost`` each, which becomes the part's purchase price."""
    errors = FieldErrors()
    amount = _decimal(errors, "quantity", quantity, minimum=Decimal("0.01"))
    cost = _decimal(errors, "unit_cost", unit_cost)
    errors.raise_if_any()
    locked = _locked_parts(part.shop, [part.pk])[part.pk]
    locked.unit_cost = cost
    locked.save(update_fields=["unit_cost"])
    move = _move(actor=actor, part=locked, kind=MoveKind.PURCHASE, quantity=amount, unit_cost=cost, note=note)
    audit_event_record(actor=actor, action="stock.purchase", object_type="part", object_id=locked.pk,
                       summary=f"{locked.code} 采购 {qty_text(amount)}{locked.unit} @ {cost}")  # fmt: skip
    part.refresh_from_db()
    return move


@transaction.atomic
def stock_adjust(
    *,
    actor: User | None,
    part: Part,
    quantity: Decimal | str,
    reason: str,
    override_reason: str = "",
) -> StockMove:
    """盘点调整 by a signed ``quantity`` (−2: two were found missing), always with a reason; taking
    the stock below zero needs ``override_reason`` as well."""
    errors = FieldErrors()
    delta = _decimal(errors, "quantity", quantity, minimum=None)
    if not errors and delta == 0:
        errors.add("quantity", "调整数量不能为 0")
    reason = _reason(errors, "reason", reason, required=True)
    override_reason = _reason(errors, "override_reason", override_reason, required=False)
    errors.raise_if_any()
    locked = _locked_parts(part.shop, [part.pk])[part.pk]
    if locked.stock + delta < 0 and not override_reason:
        raise StateConflict(
            f"{locked.name} 库存不足：调整 {qty_text(delta)}，现有 {qty_text(locked.stock)}",
            code="stock_insufficient",
            fields={"quantity": [f"{locked.name} 库存不足：现有 {qty_text(locked.stock)}"]},
        )
    move = _move(actor=actor, part=locked, kind=MoveKind.ADJUSTMENT, quantity=delta, unit_cost=locked.unit_cost,
                 reason=reason, override_reason=override_reason)  # fmt: skip
    audit_event_record(actor=actor, action="stock.adjust", object_type="part", object_id=locked.pk,
                       summary=f"{locked.code} 调整 {qty_text(delta)}：{reason}")  # fmt: skip
    part.refresh_from_db()
    return move


@transaction.atomic
def stock_consume(
    *,
    actor: User | None,
    shop: Shop,
    lines: list[tuple[int, Decimal, str]],
    reference: str,
    override_reason: str = "",
) -> list[StockMove]:
    """``stock_consume_within`` in a transaction (or savepoint) of its own."""
    return stock_consume_within(
        actor=actor, shop=shop, lines=lines, reference=reference, override_reason=override_reason
    )


def stock_consume_within(
    *,
    actor: User | None,
    shop: Shop,
    lines: list[tuple[int, Decimal, str]],
    reference: str,
    override_reason: str = "",
) -> list[StockMove]:
    """Inside the caller's atomic block, without a savepoint of its own (a service order's 开始施工,
    whose step is one transaction: a refusal here rolls the whole step back, issue 20).
    施工领用: take each line's (part id, quantity, note) out of ``shop``'s stock for the service
    order ``reference``. All lines or none: any part that would go below zero (without an
    ``override_reason``) refuses the whole call with a 409 naming the part. Several lines of one
    part are checked against its stock together."""
    assert transaction.get_connection().in_atomic_block, "stock_consume_within needs the caller's transaction"
    errors = FieldErrors()
    reference = (reference or "").strip()
    if not reference:
        errors.add("reference", "请填写领用单号")
    if not lines:
        errors.add("items", "请至少领用一个配件")
    override_reason = _reason(errors, "override_reason", override_reason, required=False)
    wanted: list[tuple[int, Decimal, str]] = []
    for index, (part_id, quantity, note) in enumerate(lines):
        amount = _decimal(errors, f"items.{index}.quantity", quantity, minimum=Decimal("0.01"))
        wanted.append((int(part_id), amount, note or ""))
    errors.raise_if_any()
    parts = parts_of(shop.pk, [part_id for part_id, _, _ in wanted], lock=True)
    missing = sorted({part_id for part_id, _, _ in wanted} - set(parts))
    if missing:
        raise NotFound(
            "配件不存在",
            code="part_not_found",
            fields={"items": [f"配件 {pid} 不属于本门店" for pid in missing]},
        )
    needed: dict[int, Decimal] = {}
    for part_id, amount, _ in wanted:
        needed[part_id] = needed.get(part_id, Decimal(0)) + amount
    short = [
        f"{parts[pid].name} 库存不足：需要 {qty_text(need)}，现有 {qty_text(parts[pid].stock)}"
        for pid, need in needed.items()
        if parts[pid].stock - need < 0
    ]
    if short and not override_reason:
        raise StateConflict("；".join(short), code="stock_insufficient", fields={"items": short})
    # What _move would write line by line, written at once (the parts' new stock and the moves in
    # one statement), then the low-stock news of each move that crossed its part's reorder level.
    moves: list[StockMove] = []
    crossed: list[StockMove] = []
    for pid, amount, note in wanted:
        part = parts[pid]
        before, part.stock = part.stock, part.stock - amount
        move = StockMove(
            part=part, shop_id=part.shop_id, kind=MoveKind.CONSUMPTION, quantity=-amount, unit_cost=part.unit_cost,
            stock_after=part.stock, reference=reference[:60], note=note[:200],
            override_reason=override_reason[:200] if part.stock < 0 else "",
            created_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        moves.append(move)
        if before > part.reorder_level >= part.stock:
            crossed.append(move)
    _consumed_write([parts[pid] for pid in needed], moves)
    for move in crossed:
        _low_stock(move.part, move)
    audit_event_record(actor=actor, action="stock.consume", object_type="shop", object_id=shop.pk,
                       summary=f"{reference} 领用 {len(moves)} 项" + (f"（超额：{override_reason}）" if short else ""))  # fmt: skip
    return moves


@transaction.atomic
def stock_return(*, actor: User | None, shop: Shop, reference: str, note: str = "") -> list[StockMove]:
    """Undo every consumption of ``reference`` at ``shop`` not undone yet (returns are new moves).
    Idempotent: a second call finds nothing left to return and returns []; concurrent calls queue
    on the part rows and the one-return-per-consumption constraint."""
    reference = (reference or "").strip()
    if not reference:
        errors = FieldErrors()
        errors.add("reference", "请填写领用单号")
        errors.raise_if_any()
    consumed = StockMove.objects.filter(shop=shop, reference=reference, kind=MoveKind.CONSUMPTION)
    parts = _locked_parts(shop, consumed.values_list("part_id", flat=True))
    open_moves = list(consumed.filter(reversal__isnull=True).order_by("pk"))
    returned = [
        _move(actor=actor, part=parts[move.part_id], kind=MoveKind.RETURN, quantity=-move.quantity,
              unit_cost=move.unit_cost, reference=reference, note=note or f"退回 {reference}", reverses=move)
        for move in open_moves
    ]  # fmt: skip
    if returned:
        audit_event_record(actor=actor, action="stock.return", object_type="shop", object_id=shop.pk,
                           summary=f"{reference} 退回 {len(returned)} 项")  # fmt: skip
    return returned


@transaction.atomic
def service_parts_set(
    *, actor: User | None, shop: Shop, service: str, parts: list[tuple[int, Decimal | str]]
) -> list[ServicePart]:
    """What one ``service`` usually uses at ``shop``: replaces the mapping with ``parts``
    ((part id, quantity) pairs; an empty list clears it)."""
    errors = FieldErrors()
    service = (service or "").strip()
    if not service:
        errors.add("service", "请填写服务项目")
    elif len(service) > 30:
        errors.add("service", "最多 30 个字符")
    known = set(Part.objects.filter(shop=shop).values_list("pk", flat=True))
    rows: dict[int, Decimal] = {}
    for index, (part_id, quantity) in enumerate(parts):
        if part_id not in known:
            errors.add(f"parts.{index}.part", "配件不属于本门店")
        if part_id in rows:
            errors.add(f"parts.{index}.part", "配件重复")
        rows[part_id] = _decimal(errors, f"parts.{index}.quantity", quantity, minimum=Decimal("0.01"))
    errors.raise_if_any()
    ServicePart.objects.filter(shop=shop, service=service).delete()
    made = ServicePart.objects.bulk_create(
        ServicePart(shop=shop, service=service, part_id=pid, quantity=qty) for pid, qty in rows.items()
    )
    audit_event_record(actor=actor, action="service_parts.set", object_type="shop", object_id=shop.pk,
                       summary=f"{service} 用料 {len(made)} 项")  # fmt: skip
    return made
