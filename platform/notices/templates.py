"""The built-in wording of every message kind, the placeholders each may use, and the renderer
(plain ``{name}`` substitution: no attribute or index access, unknown names render empty)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from notices.models import Category


@dataclass(frozen=True)
class Wording:
    category: str
    label: str
    title: str
    body: str
    placeholders: tuple[str, ...]


DEFAULTS: dict[str, Wording] = {
    "quote.sent": Wording(Category.QUOTE, "报价已发送", "您有一份新报价",
                          "报价单 {number} 已发送给您，保费 ¥{premium}，请及时查看。", ("number", "premium")),
    "quote.paid": Wording(Category.QUOTE, "报价已支付", "报价已支付",
                          "报价单 {number} 已支付 ¥{amount}。", ("number", "amount")),
    "policy.issued": Wording(Category.POLICY, "保单已出单", "保单已出单",
                             "保单 {number} 已出单，保费 ¥{premium}。", ("number", "premium", "insurer")),
    "policy.cancelled": Wording(Category.POLICY, "保单已退保", "保单已退保",
                                "保单 {number} 已退保，退费 ¥{refund_amount}。", ("number", "refund_amount")),
    "gift_pack.issued": Wording(Category.GIFT_PACK, "礼包已发放", "您获得一个礼包",
                                "礼包「{pack}」已发放，兑换码 {code}。", ("pack", "code", "value")),
    "gift_pack.redeemed": Wording(Category.GIFT_PACK, "礼包已核销", "礼包已核销",
                                  "兑换码 {code} 已核销。", ("code", "place")),
    "order.paid": Wording(Category.ORDER, "订单已支付", "订单已支付",
                          "订单 {number} 已支付 ¥{total}。", ("number", "total")),
    "order.refunded": Wording(Category.ORDER, "订单已退款", "订单已退款",
                              "订单 {number} 已退款 ¥{amount}。", ("number", "amount", "refunded")),
    "service_order": Wording(Category.SERVICE, "售后服务进度", "售后服务进度更新",
                             "服务单 {no} 当前状态：{state}。", ("no", "state", "step")),
    "reminder.due": Wording(Category.REMINDER, "到期提醒", "{reminder}",
                            "{customer} 的{reminder}：{due_on}。", ("customer", "reminder", "due_on", "plate")),
    "statement.ready": Wording(Category.COMMISSION, "结算单已生成", "月度结算单已生成",
                               "{period} 结算单已生成，应得 ¥{earned}。", ("period", "earned")),
}  # fmt: skip

# Kinds only people on the platform host get (shop and insurer staff): no tenant edits their wording.
PLATFORM_DEFAULTS: dict[str, Wording] = {
    "part.low_stock": Wording(Category.SERVICE, "库存预警", "库存预警：{name}",
                              "配件 {code} {name} 库存 {stock}，已降至补货线 {reorder_level} 以下（含），请及时补货。",
                              ("code", "name", "stock", "reorder_level")),
}  # fmt: skip

PLACEHOLDER = re.compile(r"\{(\w*)\}")


def wording_key(kind: str) -> str | None:
    """The template a kind uses: its own, or its family's (service_order.<step> → service_order)."""
    if kind in DEFAULTS:
        return kind
    family = kind.split(".", 1)[0]
    return family if family in DEFAULTS else None


def unknown_placeholders(text: str, allowed: tuple[str, ...]) -> list[str]:
    return [name or "{}" for name in PLACEHOLDER.findall(text) if name not in allowed]


def render(text: str, context: dict[str, object]) -> str:
    return PLACEHOLDER.sub(lambda m: str(context.get(m.group(1), "")), text)


def event_context(kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The placeholders an event's payload fills: its plain values; a service order's ``{state}`` is
    the step's label (已报价), ``{step}`` its code (quoted)."""
    context: dict[str, Any] = {k: v for k, v in payload.items() if isinstance(v, str | int | float)}
    if kind.startswith("service_order."):
        context["step"] = kind.split(".", 1)[1]
        if payload.get("state_label"):
            context["state"] = payload["state_label"]
    return context
