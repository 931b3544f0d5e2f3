"""Agents to and from Excel (.xlsx); all or nothing, errors per row (see core.excel)."""

from typing import Any

from accounts.models import User
from core.excel import ImportReport, RowErrors, import_rows, read_rows, write_sheet
from core.limits import plan_limit_check
from network.models import Distributor, Tier
from network.services import agent_create

COLUMNS = ["姓名", "手机号", "执业登记号", "层级", "上级手机号"]
FIELD_COLUMNS = {
    "name": "姓名",
    "mobile": "手机号",
    "licence_no": "执业登记号",
    "tier": "层级",
    "parent": "上级手机号",
}


def agents_import(*, actor: User | None, content: bytes) -> ImportReport:
    rows = read_rows(content, COLUMNS)
    plan_limit_check(limit="agents", adding=len(rows))
    tiers = {t.name: t.pk for t in Tier.objects.all()}

    def handle(values: list[str]) -> None:
        name, mobile, licence_no, tier_name, parent_mobile = values
        errors: dict[str, list[str]] = {}
        tier_id = tiers.get(tier_name)
        if tier_id is None:
            errors["层级"] = [f"层级“{tier_name}”不存在" if tier_name else "请填写层级"]
        parent_id = None
        if parent_mobile:
            parent = Distributor.objects.filter(mobile=parent_mobile).first()
            if parent is None:
                errors["上级手机号"] = [f"上级 {parent_mobile} 不存在（须已在系统中或在本文件更靠前的行）"]
            else:
                parent_id = parent.pk
        if errors:
            raise RowErrors(errors)
        agent_create(
            actor=actor, name=name, mobile=mobile, licence_no=licence_no, tier_id=tier_id, parent_id=parent_id
        )

    return import_rows(rows, handle, field_columns=FIELD_COLUMNS)


def agents_export(*, distributors: Any) -> bytes:
    return write_sheet(
        title="代理人",
        header=[*COLUMNS, "状态", "推荐码", "加入时间"],
        rows=(
            [
                d.name,
                d.mobile,
                d.licence_no,
                d.tier.name if d.tier else "",
                d.parent.mobile if d.parent else "",
                d.get_status_display(),
                d.referral_code,
                d.joined_at.strftime("%Y-%m-%d %H:%M"),
            ]
            for d in distributors
        ),
        widths=(12, 14, 18, 10, 14, 8, 12, 18),
    )
