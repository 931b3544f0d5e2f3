"""The built-in wording of every message kind, the placeholders each may use, and the renderer
(plain ``{name}`` substitution: no attribute or index access, unknown names render empty)."""

import re
from dataclasses import dataclass

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
