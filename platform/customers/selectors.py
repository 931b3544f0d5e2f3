"""Reads of customers. Who sees what: tenant admins and finance see every customer; an agent sees
the customers promoted by them or anyone in their downline; an owner sees their own record."""

from datetime import date

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from core.validators import normalize_mobile, normalize_plate
from customers.models import OWNER_REMINDER_KINDS, Customer, Reminder, ReminderStatus, Vehicle
from network.models import NetworkPath
from network.selectors import distributor_of

ALL_CUSTOMER_ROLES = {"tenant_admin", "finance"}


def customer_scope(*, user: User, roles: set[str]) -> Q:
    """A filter on Customer for what ``user`` may see; matches nothing for anyone else."""
    if roles & ALL_CUSTOMER_ROLES:
        return Q()
    if "agent" in roles:
        me = distributor_of(user)
        if me is not None:
            team = NetworkPath.objects.filter(ancestor_id=me.pk, valid_to__isnull=True).values(
                "descendant_id"
            )
            return Q(promoter_id__in=team)
    if "owner" in roles:
        return Q(user=user)
    return Q(pk__in=[])


def customers_visible(*, user: User, roles: set[str]) -> QuerySet[Customer]:
    return Customer.objects.filter(customer_scope(user=user, roles=roles))


def known_customer(
    *, user: User, roles: set[str], mobile: str, plate: str
) -> tuple[Customer, Vehicle | None] | None:
    """A customer typed in by hand whom the caller already has: the visible customer with this
    mobile, or the visible vehicle with this plate (and its owner). A customer the caller may not
    see (another team's, another tenant's: another schema) is never found."""
    visible = customers_visible(user=user, roles=roles)
    plate = normalize_plate(plate or "")
    if plate:
        vehicle = Vehicle.objects.filter(plate=plate, customer__in=visible).select_related("customer").first()
        if vehicle is not None:
            return vehicle.customer, vehicle
    mobile = normalize_mobile(mobile or "")
    if mobile:
        customer = visible.filter(mobile=mobile).first()
        if customer is not None:
            return customer, None
    return None


def customers_for_list(
    *,
    user: User,
    roles: set[str],
    search: str = "",
    plate: str = "",
    promoter: str = "",
    registered_from: date | None = None,
    registered_to: date | None = None,
) -> QuerySet[Customer]:
    """The 客户管理 list: name, bound vehicle count, promoter, registration date. ``search`` matches
    name, mobile or plate; ``promoter`` the promoter's name or mobile."""
    rows = customers_visible(user=user, roles=roles)
    if search:
        plate_like = normalize_plate(search)
        rows = rows.filter(
            Q(name__icontains=search) | Q(mobile__contains=search) | Q(vehicles__plate__contains=plate_like)
        )
    if plate:
        rows = rows.filter(vehicles__plate__contains=normalize_plate(plate))
    if promoter:
        rows = rows.filter(Q(promoter__name__icontains=promoter) | Q(promoter__mobile__contains=promoter))
    if registered_from:
        rows = rows.filter(registered_on__gte=registered_from)
    if registered_to:
        rows = rows.filter(registered_on__lte=registered_to)
    ids = rows.values("pk")  # the joins above can repeat a customer; count vehicles on clean rows
    return (
        Customer.objects.filter(pk__in=ids)
        .select_related("promoter")
        .annotate(vehicle_count=Count("vehicles"))
        .order_by("-registered_on", "-id")
    )


def vehicles_visible(*, user: User, roles: set[str]) -> QuerySet[Vehicle]:
    return Vehicle.objects.filter(customer__in=customers_visible(user=user, roles=roles))


def reminders_todo(
    *,
    user: User,
    roles: set[str],
    today: date,
    status: str = ReminderStatus.OPEN,
    kind: str = "",
    mine_only: bool = False,
) -> QuerySet[Reminder]:
    """The to-do list: reminders of the customers one may see whose remind date has come. An
    agent's ``mine_only`` keeps their own customers (not their downline's)."""
    rows = Reminder.objects.filter(
        customer__in=customers_visible(user=user, roles=roles), remind_on__lte=today
    )
    if mine_only:
        me = distributor_of(user)
        rows = rows.filter(customer__promoter=me) if me else rows.none()
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.select_related("customer", "vehicle", "customer__promoter").order_by("due_on", "id")


def reminders_for_owner(*, customer: Customer, today: date) -> QuerySet[Reminder]:
    """What the owner's H5 shows: their open reminders of the owner kinds, if they opted in."""
    if not customer.owner_reminders_opt_in:
        return Reminder.objects.none()
    return (
        Reminder.objects.filter(
            customer=customer, kind__in=OWNER_REMINDER_KINDS, status=ReminderStatus.OPEN, remind_on__lte=today
        )
        .select_related("vehicle")
        .order_by("due_on", "id")
    )


def reminder_title(reminder: Reminder) -> str:
    plate = reminder.vehicle.plate if reminder.vehicle else ""
    due = f"{reminder.due_on:%Y-%m-%d}"
    match reminder.kind:
        case "renewal":
            lines = []
            if reminder.vehicle and reminder.vehicle.ctpl_expires_on == reminder.due_on:
                lines.append("交强险")
            if reminder.vehicle and reminder.vehicle.commercial_expires_on == reminder.due_on:
                lines.append("商业险")
            return f"{plate} {'、'.join(lines) or '保险'}将于 {due} 到期，可续保"
        case "maintenance":
            if reminder.lead_days == 0:
                return f"{plate} 行驶里程已接近保养里程，请安排保养"
            return f"{plate} 将于 {due} 到期保养"
        case "inspection":
            return f"{plate} 应于 {due} 前完成年检"
        case "licence":
            return f"驾驶证将于 {due} 到期，请及时换证"
        case "birthday":
            return f"{reminder.customer.name} {reminder.due_on:%m月%d日} 生日"
        case "follow_up":
            return f"约定今天联系 {reminder.customer.name}"
    return reminder.get_kind_display()
