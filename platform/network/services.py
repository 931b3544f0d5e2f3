"""Every write to the network. Paths are closed and opened, never updated in place or deleted."""

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import membership_grant, password_check
from core.errors import FieldErrors, NotFound, StateConflict, ValidationFailed
from core.limits import plan_limit_check
from core.services import audit_event_record
from core.tenancy import current_tenant_id
from core.validators import normalize_mobile, validate_mobile
from network.models import (
    Distributor,
    DistributorKind,
    DistributorStatus,
    NetworkPath,
    NetworkSettings,
    Referral,
    Tier,
)
from network.selectors import is_in_subtree

REFERRAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _lock_network() -> None:
    """Serialise structural changes within this tenant: two concurrent moves could otherwise
    build a cycle that neither would see alone. Held until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"network:{connection.schema_name}"])  # type: ignore[attr-defined]


def referral_code_new() -> str:
    while True:
        code = "".join(secrets.choice(REFERRAL_ALPHABET) for _ in range(8))
        if not Distributor.objects.filter(referral_code=code).exists():
            return code


@transaction.atomic
def tier_create(*, actor: User | None, name: str, rank: int, description: str = "") -> Tier:
    errors = FieldErrors()
    name = name.strip()
    if not name:
        errors.add("name", "请填写层级名称")
    elif Tier.objects.filter(name=name).exists():
        errors.add("name", f"层级 {name} 已存在")
    if rank < 1:
        errors.add("rank", "层级序号从 1（最高层）开始")
    elif Tier.objects.filter(rank=rank).exists():
        errors.add("rank", f"序号 {rank} 已被其他层级使用")
    errors.raise_if_any()
    tier = Tier.objects.create(name=name, rank=rank, description=description.strip())
    audit_event_record(
        actor=actor,
        action="tier.create",
        summary=f"新建层级 {rank}. {name}",
        object_type="tier",
        object_id=tier.pk,
    )
    return tier


def _check_tier_fits(
    errors: FieldErrors, *, tier: Tier | None, parent: Distributor | None, field: str
) -> None:
    """A parent must sit on a higher tier (smaller rank) than its child."""
    if tier is None or parent is None or parent.tier is None:
        return
    if parent.tier.rank >= tier.rank:
        errors.add(field, f"上级 {parent.name} 的层级（{parent.tier.name}）须高于 {tier.name}")


def _parent_or_error(errors: FieldErrors, parent_id: int | None) -> Distributor | None:
    if parent_id is None:
        return None
    # Looked up in this tenant's schema only: a parent of another tenant simply does not exist here.
    parent = Distributor.objects.select_related("tier").filter(pk=parent_id).first()
    if parent is None:
        errors.add("parent", "上级不存在（或不属于本租户）")
    elif parent.kind != DistributorKind.AGENT:
        errors.add("parent", "代理人的上级必须是代理人")
    elif parent.status != DistributorStatus.ACTIVE:
        errors.add("parent", f"上级 {parent.name} 不是正常状态")
    return parent


def _open_paths_for_new_node(node: Distributor, parent: Distributor | None, at: datetime) -> None:
    rows = [NetworkPath(ancestor=node, descendant=node, depth=0, valid_from=at)]
    if parent is not None:
        for path in NetworkPath.objects.filter(descendant=parent, valid_to__isnull=True):
            rows.append(
                NetworkPath(
                    ancestor_id=path.ancestor_id, descendant=node, depth=path.depth + 1, valid_from=at
                )
            )
    NetworkPath.objects.bulk_create(rows)


@transaction.atomic
def agent_create(
    *,
    actor: User | None,
    name: str,
    mobile: str,
    licence_no: str,
    tier_id: int | None,
    parent_id: int | None = None,
    status: str = DistributorStatus.ACTIVE,
    password: str | None = None,
) -> Distributor:
    """Add an agent: the person (public User, found by mobile or created), their agent role in this
    tenant, and their place in the network."""
    _lock_network()
    plan_limit_check(limit="agents")
    errors = FieldErrors()
    name, licence_no, mobile = name.strip(), licence_no.strip(), normalize_mobile(mobile)
    if not name:
        errors.add("name", "请填写姓名")
    try:
        validate_mobile(mobile)
    except DjangoValidationError as exc:
        errors.add("mobile", exc.messages[0])
    else:
        if Distributor.objects.filter(mobile=mobile).exists():
            errors.add("mobile", f"手机号 {mobile} 已是本租户的分销成员")
    if not licence_no:
        errors.add("licence_no", "代理人须填写执业登记号")
    password_check(errors, password or None)  # an agent may be created without one
    tier = Tier.objects.filter(pk=tier_id).first() if tier_id else None
    if tier is None:
        errors.add("tier", "请选择有效的层级")
    parent = _parent_or_error(errors, parent_id)
    _check_tier_fits(errors, tier=tier, parent=parent, field="parent")
    errors.raise_if_any("代理人信息有误")

    user = User.objects.filter(mobile=mobile).first() or User.objects.create_user(
        mobile=mobile, name=name, password=password
    )
    membership = membership_grant(user=user, role=Role.AGENT, tenant_id=current_tenant_id())
    if membership.is_active != (status == DistributorStatus.ACTIVE):
        # a pending (not yet approved) agent cannot work as an agent yet
        membership.is_active = status == DistributorStatus.ACTIVE
        membership.save(update_fields=["is_active"])
    now = timezone.now()
    agent = Distributor.objects.create(
        user=user,
        kind=DistributorKind.AGENT,
        name=name,
        mobile=mobile,
        licence_no=licence_no,
        tier=tier,
        parent=parent,
        status=status,
        referral_code=referral_code_new(),
        joined_at=now,
    )
    _open_paths_for_new_node(agent, parent, now)
    audit_event_record(
        actor=actor,
        action="distributor.create",
        summary=f"新增代理人 {name}（{tier.name if tier else ''}）"
        + (f"，上级 {parent.name}" if parent else ""),
        object_type="distributor",
        object_id=agent.pk,
    )
    return agent


@transaction.atomic
def distributor_move(
    *, actor: User | None, distributor_id: int, new_parent_id: int | None, at: datetime | None = None
) -> Distributor:
    """Put a distributor (and its whole team) under another parent, from ``at`` (default: now) on.
    Business written before the move keeps the old upline: old paths are closed, new ones opened."""
    at = at or timezone.now()
    _lock_network()
    node = (
        Distributor.objects.select_for_update(of=("self",))
        .select_related("tier")
        .filter(pk=distributor_id)
        .first()
    )
    if node is None:
        raise NotFound("分销成员不存在")
    errors = FieldErrors()
    parent = _parent_or_error(errors, new_parent_id)
    if parent is not None and is_in_subtree(node_id=parent.pk, root_id=node.pk):
        errors.add("parent", f"不能把 {node.name} 移到自己或自己的下级 {parent.name} 之下（会形成循环）")
    _check_tier_fits(errors, tier=node.tier, parent=parent, field="parent")
    errors.raise_if_any("无法调整上级")
    if node.parent_id == (parent.pk if parent else None):
        raise StateConflict(
            f"{node.name} 的上级已经是 {parent.name if parent else '（无）'}", code="network_same_parent"
        )

    subtree = NetworkPath.objects.filter(ancestor=node, valid_to__isnull=True)
    # Close every path from outside the moved team into it.
    NetworkPath.objects.filter(
        valid_to__isnull=True, descendant_id__in=subtree.values("descendant_id"), depth__gt=0
    ).exclude(ancestor_id__in=subtree.values("descendant_id")).update(valid_to=at)
    if parent is not None:
        above = list(NetworkPath.objects.filter(descendant=parent, valid_to__isnull=True))
        below = list(subtree)
        NetworkPath.objects.bulk_create(
            NetworkPath(
                ancestor_id=a.ancestor_id,
                descendant_id=b.descendant_id,
                depth=a.depth + b.depth + 1,
                valid_from=at,
            )
            for a in above
            for b in below
        )
    old_parent_name = node.parent.name if node.parent else "（无）"
    node.parent = parent
    node.save(update_fields=["parent", "updated_at"])
    audit_event_record(
        actor=actor,
        action="distributor.move",
        summary=f"{node.name} 的上级由 {old_parent_name} 调整为 {parent.name if parent else '（无）'}",
        object_type="distributor",
        object_id=node.pk,
    )
    return node


@transaction.atomic
def distributor_set_status(*, actor: User | None, distributor_id: int, status: str) -> Distributor:
    """Activate, approve or deactivate. A deactivated agent can no longer log in as an agent here;
    their team stays where it is (move it first if it should go elsewhere)."""
    node = Distributor.objects.select_for_update().filter(pk=distributor_id).first()
    if node is None:
        raise NotFound("分销成员不存在")
    if status not in DistributorStatus.values:
        raise ValidationFailed(fields={"status": ["状态应为 pending、active 或 inactive"]})
    if node.status == status:
        raise StateConflict(
            f"{node.name} 已是 {DistributorStatus(status).label} 状态", code="network_same_status"
        )
    node.status = status
    node.save(update_fields=["status", "updated_at"])
    if node.kind == DistributorKind.AGENT:
        from accounts.models import Membership

        Membership.objects.filter(
            user_id=node.user_id, tenant_id=current_tenant_id(), role=Role.AGENT
        ).update(is_active=status == DistributorStatus.ACTIVE)
    audit_event_record(
        actor=actor,
        action="distributor.status",
        summary=f"{node.name} 状态改为 {DistributorStatus(status).label}",
        object_type="distributor",
        object_id=node.pk,
    )
    return node


def network_settings() -> NetworkSettings:
    settings_row, _ = NetworkSettings.objects.get_or_create(pk=1)
    return settings_row


def referrer_by_code(*, code: str) -> Distributor:
    referrer = (
        Distributor.objects.select_related("tier")
        .filter(referral_code=code.strip().upper(), status=DistributorStatus.ACTIVE)
        .first()
    )
    if referrer is None:
        raise NotFound("推荐码无效或已停用", code="referral_code_invalid")
    return referrer


def agent_join_by_referral(
    *, code: str, name: str, mobile: str, licence_no: str, sms_code: str, password: str | None = None
) -> Distributor:
    """A new agent signs up through an agent's invitation: on the entry tier, under the inviter,
    pending until an admin approves when the tenant asks for approval."""
    from accounts.services import sms_login_code_check

    inviter = referrer_by_code(code=code)
    if inviter.kind != DistributorKind.AGENT or inviter.tier is None:
        raise ValidationFailed(fields={"code": ["这是车主推荐码，不能用于代理人注册"]})
    entry_tier = Tier.objects.order_by("-rank").first()
    if entry_tier is None or entry_tier.rank <= inviter.tier.rank:
        raise ValidationFailed(fields={"code": [f"{inviter.name} 已在最低层级，不能再发展下级"]})
    errors = FieldErrors()
    password_check(errors, password or None)  # an agent may be created without one
    errors.raise_if_any()  # a weak password does not spend the code
    # Outside the transaction: a wrong code stays counted when the request fails.
    sms_login_code_check(mobile=normalize_mobile(mobile), code=sms_code)
    status = (
        DistributorStatus.PENDING
        if network_settings().agent_signup_requires_approval
        else DistributorStatus.ACTIVE
    )
    return agent_create(  # one transaction of its own
        actor=None,
        name=name,
        mobile=mobile,
        licence_no=licence_no,
        tier_id=entry_tier.pk,
        parent_id=inviter.pk,
        status=status,
        password=password,
    )


@transaction.atomic
def customer_referrer_ensure(*, user: User) -> Distributor:
    """An owner's referral identity: a distributor of kind ``customer`` (goods and services rewards
    only), created the first time they ask for their code."""
    existing = Distributor.objects.filter(user=user).first()
    if existing is not None:
        return existing
    _lock_network()
    now = timezone.now()
    referrer = Distributor.objects.create(
        user=user,
        kind=DistributorKind.CUSTOMER,
        name=user.name or user.mobile,
        mobile=user.mobile,
        referral_code=referral_code_new(),
        joined_at=now,
    )
    _open_paths_for_new_node(referrer, None, now)
    return referrer


def referral_record(*, code: str, user: User) -> Referral | None:
    """``user`` just signed up through ``code``. Returns None (and records nothing) when the code is
    unknown or the person was referred before or refers themselves: a signup never fails for it."""
    referrer = Distributor.objects.filter(
        referral_code=code.strip().upper(), status=DistributorStatus.ACTIVE
    ).first()
    if referrer is None or referrer.user_id == user.pk or Referral.objects.filter(user=user).exists():
        return None
    return Referral.objects.create(referrer=referrer, user=user)


@transaction.atomic
def network_settings_update(*, actor: User | None, agent_signup_requires_approval: bool) -> NetworkSettings:
    row = network_settings()
    row.agent_signup_requires_approval = agent_signup_requires_approval
    row.save(update_fields=["agent_signup_requires_approval", "updated_at"])
    audit_event_record(
        actor=actor,
        action="network.settings",
        summary="代理人注册" + ("需要审核" if agent_signup_requires_approval else "无需审核"),
    )
    return row
