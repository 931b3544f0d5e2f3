"""Products, gift packs, issuing packs to customers (by hand, with a policy, in a campaign) and
redeeming them exactly once.

Codes carry the tenant's schema name (``DATANG-7KX3M2Q9PA``): a code from another tenant is refused
by name, not reported as unknown. Redemption locks the issued pack's row, so of any number of
concurrent attempts exactly one succeeds; the unique constraints on ``Redemption`` back that up."""

import secrets
import uuid
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image

from accounts.models import User
from catalog.models import (
    GiftPack,
    GiftPackItem,
    GiftPackRule,
    IssueChannel,
    IssuedItem,
    IssuedPack,
    IssueStatus,
    PartnerShop,
    Product,
    ProductKind,
    RedeemMode,
    Redemption,
)
from core.audit_labels import OUTCOME_WORDS
from core.errors import FieldErrors, NotFound, StateConflict, ValidationFailed
from core.events import consume, emit
from core.limits import storage_limit_check
from core.models import DomainEvent
from core.services import audit_event_record
from core.tenancy import current_schema_name
from core.uploads import checked_image
from customers.models import Customer
from directory.selectors import shop_of
from quotes.models import Policy
from tenants.models import Tenant

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
H5_WIDTH = 750  # px: the H5 is laid out on a 750-wide canvas
MAX_IMAGE_BYTES = 5 * 1024 * 1024

# ---- products ---------------------------------------------------------------------------------


def _check_product(errors: FieldErrors, data: dict[str, Any]) -> None:
    if not (data.get("name") or "").strip():
        errors.add("name", "请填写商品名称")
    if data.get("kind", ProductKind.GOODS) not in ProductKind.values:
        errors.add("kind", "应为商品或服务")
    market, actual = data.get("market_price"), data.get("actual_price")
    if market is None or market < 0:
        errors.add("market_price", "市场价格不能为负数")
    if actual is None or actual < 0:
        errors.add("actual_price", "实际价格不能为负数")
    elif market is not None and actual > market:
        errors.add("actual_price", "实际价格不能高于市场价格")
    if data.get("kind", ProductKind.GOODS) == ProductKind.GOODS:
        if data.get("stock") is None or data["stock"] < 0:
            errors.add("stock", "商品须填写库存（不小于 0）")
    elif data.get("stock") is not None:
        errors.add("stock", "服务没有库存")


PRODUCT_FIELDS = ("name", "kind", "source", "market_price", "actual_price", "stock", "on_shelf")


@transaction.atomic
def product_save(*, actor: User | None, product: Product | None = None, **data: Any) -> Product:
    unknown = set(data) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    merged = {f: getattr(product, f) for f in PRODUCT_FIELDS} if product else {}
    merged.update(data)
    errors = FieldErrors()
    _check_product(errors, merged)
    errors.raise_if_any()
    if product is None:
        product = Product()
    for field in PRODUCT_FIELDS:
        if field in merged:
            setattr(
                product, field, merged[field].strip() if isinstance(merged[field], str) else merged[field]
            )
    product.save()
    audit_event_record(actor=actor, action="product.save", summary=f"商品 {product.name}",
                       object_type="product", object_id=product.pk)  # fmt: skip
    return product


def _tenant_media_dir() -> str:
    return f"tenants/{connection.schema_name}/products"  # type: ignore[attr-defined]


@transaction.atomic
def product_image_set(*, actor: User | None, product: Product, content: bytes) -> Product:
    """Keep the uploaded image (checked to be one) under the tenant's own folder, and a copy
    resized to the H5's width as JPEG."""
    if len(content) > MAX_IMAGE_BYTES:
        raise ValidationFailed(fields={"image": ["图片不能超过 5 MB"]})
    fmt, image = checked_image(field="image", content=content, formats={"jpeg", "png", "webp"})
    storage_limit_check(schema_name=current_schema_name(), adding_bytes=len(content))
    stem = f"{_tenant_media_dir()}/{uuid.uuid4().hex}"
    original = default_storage.save(f"{stem}.{'jpg' if fmt == 'jpeg' else fmt}", ContentFile(content))
    h5 = image.convert("RGB")
    if h5.width > H5_WIDTH:
        h5 = h5.resize((H5_WIDTH, round(h5.height * H5_WIDTH / h5.width)), Image.Resampling.LANCZOS)
    out = BytesIO()
    h5.save(out, "JPEG", quality=82, optimize=True)
    resized = default_storage.save(f"{stem}-h5.jpg", ContentFile(out.getvalue()))
    product.image, product.image_h5 = original, resized
    product.save(update_fields=["image", "image_h5", "updated_at"])
    return product


@transaction.atomic
def product_remove(*, actor: User | None, product: Product) -> str:
    """Delete a product nobody has used; archive (and take off the shelf) one in a pack."""
    used = (
        GiftPackItem.objects.filter(product=product).exists()
        or IssuedItem.objects.filter(product=product).exists()
    )
    if used:
        product.archived, product.on_shelf = True, False
        product.save(update_fields=["archived", "on_shelf", "updated_at"])
        outcome = "archived"
    else:
        product.delete()
        outcome = "deleted"
    audit_event_record(actor=actor, action=f"product.{outcome}", summary=f"商品 {product.name} {OUTCOME_WORDS[outcome]}",
                       object_type="product", object_id=product.pk or "")  # fmt: skip
    return outcome


# ---- gift packs -------------------------------------------------------------------------------


def pack_values(pack: GiftPack) -> tuple[Decimal, Decimal]:
    """(market value, actual value): the contents' sums unless overridden."""
    market = actual = Decimal("0.00")
    for item in pack.items.select_related("product"):
        market += item.product.market_price * item.quantity
        actual += item.product.actual_price * item.quantity
    return (
        pack.market_value_override if pack.market_value_override is not None else market,
        pack.actual_value_override if pack.actual_value_override is not None else actual,
    )


def pack_contents(pack: GiftPack) -> str:
    """ "壳牌蓝喜力机油*1, 奶茶*1", as the original product shows them."""
    return ", ".join(f"{i.product.name}*{i.quantity}" for i in pack.items.select_related("product"))


@transaction.atomic
def pack_save(
    *,
    actor: User | None,
    pack: GiftPack | None = None,
    name: str,
    expires_on: Any,
    redeem_mode: str,
    items: list[dict[str, Any]],
    market_value_override: Decimal | None = None,
    actual_value_override: Decimal | None = None,
    active: bool = True,
) -> GiftPack:
    errors = FieldErrors()
    if not (name or "").strip():
        errors.add("name", "请填写礼包名称")
    if expires_on is None:
        errors.add("expires_on", "请填写过期时间")
    elif pack is None and expires_on < timezone.localdate():
        errors.add("expires_on", "过期时间不能早于今天")
    if redeem_mode not in RedeemMode.values:
        errors.add("redeem_mode", "应为整包兑换或逐项兑换")
    if not items:
        errors.add("items", "礼包至少包含一件商品")
    products = {p.pk: p for p in Product.objects.filter(pk__in=[i.get("product") for i in items])}
    seen = set()
    for index, item in enumerate(items):
        product = products.get(item.get("product") or 0)
        if product is None:
            errors.add(f"items.{index}.product", "商品不存在")
        elif product.archived:
            errors.add(f"items.{index}.product", f"{product.name} 已归档")
        elif product.pk in seen:
            errors.add(f"items.{index}.product", f"{product.name} 重复")
        seen.add(item.get("product"))
        if not 1 <= (item.get("quantity") or 0) <= 99:
            errors.add(f"items.{index}.quantity", "数量应在 1–99 之间")
    for field, value in (
        ("market_value_override", market_value_override),
        ("actual_value_override", actual_value_override),
    ):
        if value is not None and value < 0:
            errors.add(field, "不能为负数")
    errors.raise_if_any()
    if pack is not None and pack.issued.exists():
        changed = set((i.product_id, i.quantity) for i in pack.items.all()) != {
            (i["product"], i["quantity"]) for i in items
        }
        if changed:
            raise StateConflict("礼包已发放，不能再修改内容；请另建礼包", code="pack_issued")
    if pack is None:
        pack = GiftPack(created_by=actor)
    pack.name, pack.expires_on, pack.redeem_mode, pack.active = name.strip(), expires_on, redeem_mode, active
    pack.market_value_override, pack.actual_value_override = market_value_override, actual_value_override
    pack.save()
    pack.items.all().delete()
    GiftPackItem.objects.bulk_create(
        GiftPackItem(pack=pack, product=products[i["product"]], quantity=i["quantity"]) for i in items
    )
    audit_event_record(actor=actor, action="gift_pack.save", summary=f"礼包 {pack.name}：{pack_contents(pack)}",
                       object_type="gift_pack", object_id=pack.pk)  # fmt: skip
    return pack


RULE_LINES = ("ctpl", "commercial")


def _rule_check(*, line: str, min_premium: Decimal) -> None:
    if line not in RULE_LINES:
        raise ValidationFailed(fields={"line": ["应为交强险或商业险"]})
    if min_premium < 0:
        raise ValidationFailed(fields={"min_premium": ["不能为负数"]})


def _rule_summary(rule: GiftPackRule) -> str:
    insurer = f" {rule.insurer_code}" if rule.insurer_code else ""
    state = "" if rule.active else "（停用）"
    return f"礼包 {rule.pack.name} 随单赠送：{rule.line}{insurer} 保费≥{rule.min_premium}{state}"


@transaction.atomic
def pack_rule_add(*, actor: User | None, pack: GiftPack, **fields: Any) -> GiftPackRule:
    """随单赠送: give ``pack`` with every matching policy issued from now on (audited)."""
    _rule_check(line=fields.get("line", "commercial"), min_premium=fields.get("min_premium", Decimal(0)))
    rule = GiftPackRule.objects.create(pack=pack, **fields)
    audit_event_record(actor=actor, action="gift_pack.rule.add", summary=_rule_summary(rule),
                       object_type="gift_pack", object_id=pack.pk)  # fmt: skip
    return rule


@transaction.atomic
def pack_rule_change(*, actor: User | None, rule: GiftPackRule, **changes: Any) -> GiftPackRule:
    """Change or switch off a rule (rules that gave packs are kept, not deleted; audited)."""
    _rule_check(line=changes.get("line", rule.line), min_premium=changes.get("min_premium", rule.min_premium))
    for name, value in changes.items():
        setattr(rule, name, value)
    rule.save()
    audit_event_record(actor=actor, action="gift_pack.rule.change", summary=_rule_summary(rule),
                       object_type="gift_pack", object_id=rule.pack_id)  # fmt: skip
    return rule


def _new_code() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"{connection.schema_name.upper()}-{body}"  # type: ignore[attr-defined]


@transaction.atomic
def pack_issue(
    *,
    actor: User | None,
    pack: GiftPack,
    customer: Customer,
    channel: str = IssueChannel.MANUAL,
    policy: Policy | None = None,
) -> IssuedPack:
    """Give ``pack`` to ``customer``: a code, its contents copied, its actual value recorded. Given
    with a policy, the value is charged by promotion settlement (the ``promotion.given`` event)."""
    pack = GiftPack.objects.select_for_update().get(pk=pack.pk)
    today = timezone.localdate()
    if not pack.active:
        raise StateConflict(f"礼包「{pack.name}」已停用", code="pack_inactive")
    if pack.expires_on < today:
        raise StateConflict(f"礼包「{pack.name}」已于 {pack.expires_on} 过期", code="pack_expired")
    market, actual = pack_values(pack)
    issued = IssuedPack.objects.create(
        pack=pack, customer=customer, code=_new_code(), channel=channel, policy=policy, value=actual,
        market_value=market, expires_on=pack.expires_on, issued_by=_actor_row(actor),
    )  # fmt: skip
    IssuedItem.objects.bulk_create(
        IssuedItem(issued=issued, product=i.product, name=i.product.name, quantity=i.quantity)
        for i in pack.items.select_related("product")
    )
    emit("gift_pack.issued", object_type="gift_pack", object_id=issued.pk,
         payload={"code": issued.code, "pack": pack.name, "customer_id": customer.pk, "value": format(actual, "f")},
         actor=actor)  # fmt: skip
    if policy is not None:
        emit("promotion.given", object_type="policy", object_id=policy.pk,
             payload={"policy_id": policy.pk, "issued_pack_id": issued.pk, "value": format(actual, "f"),
                      "description": pack.name}, actor=actor)  # fmt: skip
    audit_event_record(actor=actor, action="gift_pack.issue", summary=f"向 {customer.name} 发放礼包「{pack.name}」",
                       object_type="gift_pack_issue", object_id=issued.pk)  # fmt: skip
    return issued


def own_code(code: str) -> str:
    """The code, normalised; a code of another tenant is refused by name (not "unknown")."""
    code = "".join((code or "").split()).upper()
    prefix = f"{connection.schema_name.upper()}-"  # type: ignore[attr-defined]
    if "-" in code and not code.startswith(prefix):
        raise ValidationFailed(
            "该券码不属于本机构，不能在此兑换", code="foreign_code", fields={"code": ["券码属于其他机构"]}
        )
    return code


@transaction.atomic
def pack_issue_campaign(*, actor: User | None, pack: GiftPack, customers: list[Customer]) -> list[IssuedPack]:
    """活动发放: one pack to each customer, all or none."""
    if not customers:
        raise ValidationFailed(fields={"customers": ["请选择至少一位客户"]})
    return [pack_issue(actor=actor, pack=pack, customer=c, channel=IssueChannel.CAMPAIGN) for c in customers]


def _find_code(code: str) -> IssuedPack:
    # the pack, customer and policy come along unlocked (the 核销 screen shows them): no query for
    # them while the code's row lock is held
    issued = (
        IssuedPack.objects.select_for_update(of=("self",))
        .select_related("pack", "customer", "policy")
        .filter(code=own_code(code))
        .first()
    )
    if issued is None:
        raise NotFound("券码不存在", code="code_not_found")
    return issued


def _refuse_if_final(status: str, redeemed_at: datetime | None, expires_on: date) -> None:
    """A code that is void, wholly redeemed or expired stays so: the refusals that need no lock."""
    if status == IssueStatus.VOID:
        raise StateConflict("券码已作废", code="code_void")
    if status == IssueStatus.REDEEMED:
        raise StateConflict(
            f"券码已于 {timezone.localtime(redeemed_at):%Y-%m-%d %H:%M} 兑换", code="already_redeemed"
        )
    if expires_on < timezone.localdate():
        raise StateConflict(f"礼包已于 {expires_on} 过期，不能兑换", code="pack_expired")


def redeem(*, actor: User | None, code: str, item_id: int | None = None, place: str = "") -> IssuedPack:
    """Redeem a pack (``item_id`` None) or one of its items, exactly once: of any number of
    concurrent attempts the first wins, the others see it redeemed (409). Returns the issued pack,
    its pack, customer and policy loaded (what the 核销 screen shows).

    One plain read first (the code's state and its pack's mode, no transaction, no row lock): a
    code already void, redeemed or expired is refused from it. Those states are final (a code never
    goes back to issued), so a committed one seen without the lock is the answer the lock would
    give, and a second scan of a used code does not queue behind a redemption of it in progress.

    The whole pack is then redeemed by one conditional UPDATE (still redeemable, not expired),
    which takes the row lock: a concurrent attempt's UPDATE waits for it, then finds the status
    changed and matches nothing, so exactly one attempt writes the ``Redemption`` (whose unique
    constraint backs this up). An attempt whose UPDATE matched nothing, and an item of a per-item
    pack, is decided under the row lock (``select_for_update``), as before."""
    code = own_code(code)
    seen = (
        IssuedPack.objects.filter(code=code)
        .values_list("pk", "status", "redeemed_at", "expires_on", "pack__redeem_mode")
        .first()
    )
    if seen is None:
        raise NotFound("券码不存在", code="code_not_found")
    pk, status, redeemed_at, expires_on, mode = seen
    _refuse_if_final(status, redeemed_at, expires_on)
    if mode == RedeemMode.WHOLE or item_id is None:
        # A per-item pack redeemed as a whole must be untouched; a whole pack goes in one piece
        # (partly redeemed only if its mode changed since: the rest goes now, as under the lock).
        redeemable = (
            (IssueStatus.ISSUED, IssueStatus.PARTIAL) if mode == RedeemMode.WHOLE else (IssueStatus.ISSUED,)
        )
        if _redeem_whole(actor=actor, pk=pk, code=code, redeemable=redeemable, item_id=item_id, place=place):
            return IssuedPack.objects.select_related("pack", "customer", "policy").get(pk=pk)
    return _redeem_locked(actor=actor, code=code, item_id=item_id, place=place)


@transaction.atomic
def _redeem_whole(
    *, actor: User | None, pk: int, code: str, redeemable: tuple[str, ...], item_id: int | None, place: str
) -> bool:
    """The whole pack, if it is still redeemable when its row is locked by the UPDATE; False (and
    nothing written) when it no longer is."""
    now = timezone.now()
    won = IssuedPack.objects.filter(
        pk=pk, status__in=redeemable, expires_on__gte=timezone.localdate()
    ).update(status=IssueStatus.REDEEMED, redeemed_at=now)
    if not won:
        return False
    _whole_pack_written(actor=actor, issued_id=pk, place=place, now=now)
    _redeemed_event(actor=actor, issued_id=pk, code=code, item_id=item_id, place=place)
    return True


def _whole_pack_written(*, actor: User | None, issued_id: int, place: str, now: datetime) -> None:
    """A whole pack's redemption, by either path: its ``Redemption`` row and every item redeemed."""
    Redemption.objects.create(issued_id=issued_id, place=place[:60], redeemed_by=_actor_row(actor))
    IssuedItem.objects.filter(issued_id=issued_id).update(redeemed=True, redeemed_at=now)


def _redeemed_event(
    *, actor: User | None, issued_id: int, code: str, item_id: int | None, place: str
) -> None:
    emit("gift_pack.redeemed", object_type="gift_pack", object_id=issued_id,
         payload={"code": code, "item_id": item_id, "place": place}, actor=actor)  # fmt: skip


def _actor_row(actor: User | None) -> User | None:
    """The redeeming user as a row to point at (None for an actor without one)."""
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def _redeem_locked(*, actor: User | None, code: str, item_id: int | None, place: str) -> IssuedPack:
    issued = _find_code(code)
    pack = issued.pack
    _refuse_if_final(issued.status, issued.redeemed_at, issued.expires_on)
    now = timezone.now()
    if pack.redeem_mode == RedeemMode.WHOLE or item_id is None:
        if pack.redeem_mode == RedeemMode.PER_ITEM and issued.status != IssueStatus.ISSUED:
            raise StateConflict("礼包已部分兑换，请逐项兑换剩余商品", code="partly_redeemed")
        _whole_pack_written(actor=actor, issued_id=issued.pk, place=place, now=now)
        issued.status, issued.redeemed_at = IssueStatus.REDEEMED, now
    else:
        item = issued.items.filter(pk=item_id).first()
        if item is None:
            raise ValidationFailed(fields={"item": ["礼包中没有这件商品"]})
        if item.redeemed:
            raise StateConflict(f"{item.name} 已兑换", code="already_redeemed")
        Redemption.objects.create(issued=issued, item=item, place=place[:60], redeemed_by=_actor_row(actor))
        item.redeemed, item.redeemed_at = True, now
        item.save(update_fields=["redeemed", "redeemed_at"])
        left = issued.items.filter(redeemed=False).exists()
        issued.status = IssueStatus.PARTIAL if left else IssueStatus.REDEEMED
        issued.redeemed_at = None if left else now
    issued.save(update_fields=["status", "redeemed_at"])
    _redeemed_event(actor=actor, issued_id=issued.pk, code=issued.code, item_id=item_id, place=place)
    return issued


def pack_counts(pack_ids: list[int]) -> dict[int, tuple[int, int]]:
    """pack id -> (issued, redeemed)."""
    counts: dict[int, list[int]] = {pk: [0, 0] for pk in pack_ids}
    for pk, status in IssuedPack.objects.filter(pack_id__in=pack_ids).values_list("pack_id", "status"):
        counts[pk][0] += 1
        counts[pk][1] += status == IssueStatus.REDEEMED
    return {pk: (c[0], c[1]) for pk, c in counts.items()}


# ---- packs given with policies ----------------------------------------------------------------


def process_events(*, limit: int = 500) -> int:
    """Issue the packs the tenant's rules attach to newly issued policies (idempotent: one pack per
    policy and rule's pack)."""

    def handle(events: list[DomainEvent]) -> None:
        ids = [int(e.object_id) for e in events if e.kind == "policy.issued"]
        if not ids:
            return
        rules = list(GiftPackRule.objects.filter(active=True, pack__active=True).select_related("pack"))
        if not rules:
            return
        for policy in Policy.objects.filter(pk__in=ids).select_related("insurer", "customer"):
            for rule in rules:
                if (rule.line == policy.line and policy.premium >= rule.min_premium
                        and rule.insurer_code in ("", policy.insurer.code)
                        and rule.pack.expires_on >= timezone.localdate()
                        and not IssuedPack.objects.filter(pack=rule.pack, policy=policy).exists()):  # fmt: skip
                    pack_issue(actor=None, pack=rule.pack, customer=policy.customer, channel=IssueChannel.POLICY,
                               policy=policy)  # fmt: skip

    return consume("gift_packs", handle, limit=limit)


# ---- redemption at a partner shop --------------------------------------------------------------


def shop_code_tenant(*, user: User, code: str) -> tuple[Any, str]:
    """(shop, tenant schema) for a code presented at the user's shop: the code names its tenant,
    which must exist and partner with the shop, else the code is refused by name."""
    shop = shop_of(user)
    code = "".join((code or "").split()).upper()
    schema = code.split("-", 1)[0].lower() if "-" in code else ""
    tenant = (
        Tenant.objects.filter(schema_name=schema).exclude(schema_name="public").first() if schema else None
    )
    if tenant is None:
        raise NotFound("券码不存在", code="code_not_found")
    with schema_context(tenant.schema_name):
        if not PartnerShop.objects.filter(shop=shop).exists():
            raise ValidationFailed(
                f"本店不是「{tenant.name}」的合作门店，不能兑换其礼包", code="not_partner",
                fields={"code": ["不是本店合作机构的券码"]},
            )  # fmt: skip
    return shop, tenant.schema_name


def shop_redeem(*, user: User, code: str, item_id: int | None = None) -> tuple[str, IssuedPack]:
    """A partner shop's staff redeem a tenant's pack (exactly once, as in the tenant's own 核销)."""
    shop, schema = shop_code_tenant(user=user, code=code)
    with schema_context(schema):
        return schema, redeem(actor=user, code=code, item_id=item_id, place=shop.name)
