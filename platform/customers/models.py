"""Customers (客户) of one tenant: owners, their vehicles, follow-ups, reminders and preferences.

身份证 numbers are stored three ways, none of them plain: encrypted with the tenant's key, as a
keyed digest (lookup, uniqueness) and masked (lists). Dates that reminders scan for (next
maintenance, next inspection, birthday as MMDD) are kept on the rows so the daily scan is one
set-based statement per rule.
"""

from django.conf import settings
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import Q

from core.models import CurrentTxid
from network.models import Distributor


class Customer(models.Model):
    name = models.CharField(max_length=60)
    mobile = models.CharField(max_length=11)
    id_number_cipher = models.TextField(blank=True, default="")
    id_number_digest = models.CharField(max_length=64, blank=True, default="")
    id_number_masked = models.CharField(max_length=18, blank=True, default="")
    birth_date = models.DateField(null=True, blank=True)
    birth_mmdd = models.PositiveSmallIntegerField(null=True, blank=True, help_text="month*100+day")
    licence_expires_on = models.DateField("驾驶证到期", null=True, blank=True)
    # indexed by the (promoter, registered_on) index, not twice
    promoter = models.ForeignKey(
        Distributor, null=True, blank=True, on_delete=models.PROTECT, related_name="customers", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    registered_on = models.DateField()
    owner_reminders_opt_in = models.BooleanField(default=True)
    note = models.CharField(max_length=500, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mobile"], name="customer_unique_mobile"),
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=~Q(id_number_digest=""),
                name="customer_unique_id_number",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(user__isnull=False), name="customer_one_per_user"
            ),
        ]
        indexes = [
            models.Index(fields=["promoter", "registered_on"]),
            models.Index(fields=["birth_mmdd"]),
            models.Index(fields=["licence_expires_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.mobile})"


class VehicleUse(models.TextChoices):
    """使用性质, as the 交强险 tables classify vehicles."""

    FAMILY = "family", "家庭自用汽车"
    ENTERPRISE = "enterprise", "企业非营业客车"
    GOVERNMENT = "government", "机关非营业客车"
    TAXI_RENTAL = "taxi_rental", "营业出租租赁"
    TRUCK = "truck", "非营业货车"
    TRUCK_OPERATING = "truck_operating", "营业货车"
    MOTORCYCLE = "motorcycle", "摩托车"


class Energy(models.TextChoices):
    FUEL = "fuel", "燃油"
    NEW_ENERGY = "new_energy", "新能源"


class Vehicle(models.Model):
    # indexed by vehicle_customer_idx (Meta), not twice
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="vehicles", db_index=False)
    plate = models.CharField(max_length=8)
    vin = models.CharField(max_length=17, blank=True, default="")
    engine_no = models.CharField(max_length=30, blank=True, default="")
    brand_model = models.CharField(max_length=60, blank=True, default="")
    seats = models.PositiveSmallIntegerField(default=5)
    displacement = models.DecimalField("排量(L)", max_digits=4, decimal_places=2, null=True, blank=True)
    energy = models.CharField(max_length=12, choices=Energy.choices, default=Energy.FUEL)
    use = models.CharField(max_length=20, choices=VehicleUse.choices, default=VehicleUse.FAMILY)
    first_registered_on = models.DateField(null=True, blank=True)
    # 购置日期 (the invoice's): the 车船税 of a car bought this year is due from this month.
    purchase_date = models.DateField("购置日期", null=True, blank=True)
    purchase_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    mileage_km = models.PositiveIntegerField(default=0)
    ctpl_expires_on = models.DateField("交强险到期", null=True, blank=True)
    commercial_expires_on = models.DateField("商业险到期", null=True, blank=True)
    maintenance_every_km = models.PositiveIntegerField(default=5000)
    maintenance_every_months = models.PositiveSmallIntegerField(default=6)
    last_maintained_on = models.DateField(null=True, blank=True)
    last_maintained_km = models.PositiveIntegerField(null=True, blank=True)
    next_maintenance_on = models.DateField(null=True, blank=True)
    next_inspection_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["plate"], name="vehicle_unique_plate"),
            models.UniqueConstraint(fields=["vin"], condition=~Q(vin=""), name="vehicle_unique_vin"),
        ]
        indexes = [
            models.Index(fields=["customer"], name="vehicle_customer_idx"),
            # the daily reminder scan: the renewal rule looks cars up by either expiry date, the
            # maintenance and inspection rules (and the inspection roll) by their next date
            models.Index(fields=["ctpl_expires_on"], name="vehicle_ctpl_expiry_idx"),
            models.Index(fields=["commercial_expires_on"], name="vehicle_commercial_expiry_idx"),
            models.Index(fields=["next_maintenance_on"], name="vehicle_next_maintenance_idx"),
            models.Index(fields=["next_inspection_on"], name="vehicle_next_inspection_idx"),
        ]

    def __str__(self) -> str:
        return self.plate


class FollowUpChannel(models.TextChoices):
    PHONE = "phone", "电话"
    WECHAT = "wechat", "微信"
    VISIT = "visit", "面访"
    SMS = "sms", "短信"
    OTHER = "other", "其他"


class FollowUp(models.Model):
    """跟踪记录: what was said to the customer and when to contact them next."""

    # indexed by the (customer, created_at) index, not twice
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="follow_ups", db_index=False
    )
    vehicle = models.ForeignKey(Vehicle, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=10, choices=FollowUpChannel.choices)
    content = models.TextField(max_length=2000)
    next_contact_on = models.DateField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    author_name = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["next_contact_on"]), models.Index(fields=["customer", "created_at"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.get_channel_display()} {self.created_at:%Y-%m-%d}"


class ReminderKind(models.TextChoices):
    RENEWAL = "renewal", "续保提醒"
    MAINTENANCE = "maintenance", "保养提醒"
    INSPECTION = "inspection", "年检提醒"
    LICENCE = "licence", "驾驶证到期"
    BIRTHDAY = "birthday", "客户生日"
    FOLLOW_UP = "follow_up", "跟进客户"


# What the owner may see in the H5 (when opted in); birthdays and follow-ups are the agent's.
OWNER_REMINDER_KINDS = [
    ReminderKind.RENEWAL,
    ReminderKind.MAINTENANCE,
    ReminderKind.INSPECTION,
    ReminderKind.LICENCE,
]


class ReminderStatus(models.TextChoices):
    OPEN = "open", "待处理"
    DONE = "done", "已处理"
    DISMISSED = "dismissed", "已忽略"


class Reminder(models.Model):
    """One reminder, created once by the scan: the key (kind, customer, vehicle, due date, lead)
    is unique, so re-running a scan inserts nothing new."""

    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    # No index of their own: reminder_once leads with the customer (and answers a customer's
    # reminders); nothing looks reminders up by vehicle (cars are never deleted), and closed_by,
    # NULL until closed, has a partial one.
    # No foreign-key constraint in the database either (issue 20): every reminder is written by the
    # scan's INSERT … SELECT from the customer's or car's own row (or by a service holding it), and
    # the product deletes neither customers nor cars; a per-row check (a lookup and a row lock on
    # the customer and the car) was over half the daily scan's time. A delete through the ORM still
    # cascades to the reminders (on_delete is Django's).
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="reminders", db_index=False, db_constraint=False
    )
    vehicle = models.ForeignKey(
        Vehicle, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False,
        db_constraint=False
    )  # fmt: skip
    due_on = models.DateField(help_text="the event: expiry, due date, birthday")
    remind_on = models.DateField()
    lead_days = models.SmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.OPEN)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False, db_constraint=False
    )  # fmt: skip
    # The inserting transaction (set by the database): notifications read new reminders with
    # core.events.consume_rows, which needs it to miss none that commit late (a long daily scan).
    txid = models.BigIntegerField(db_default=CurrentTxid(), editable=False)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            # Led by the customer: the one index of a reminder by customer (to-do list, the owner's
            # H5, a customer's open reminders, cascade on customer delete) is also the scan's
            # ON CONFLICT key, so each reminder written costs one index insert placed at random,
            # not two (issue 20).
            models.UniqueConstraint(
                fields=["customer", "kind", "vehicle", "due_on", "lead_days"],
                nulls_distinct=False,
                name="reminder_once",
            )
        ]
        indexes = [
            # rows are appended in txid order: a block-range index finds the recent ones in a few pages
            BrinIndex(fields=["txid"], name="reminder_txid_brin"),
            models.Index(
                fields=["closed_by"], condition=Q(closed_by__isnull=False), name="reminder_closed_by_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.customer_id} {self.due_on}"


class ReminderScan(models.Model):
    """The last day the daily scan covered, so a missed day is caught up on the next run."""

    scanned_through = models.DateField()
    created = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ["-scanned_through"]

    def __str__(self) -> str:
        return f"scan through {self.scanned_through}: {self.created}"


class Preference(models.Model):
    """A 客户管家 tag learnt from what the customer bought, serviced and quoted (recomputed by a task)."""

    # indexed by preference_once_per_key (customer, key), not twice
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="preferences", db_index=False
    )
    key = models.CharField(max_length=60)
    label = models.CharField(max_length=60)
    evidence = models.CharField(max_length=200)
    weight = models.DecimalField(max_digits=6, decimal_places=2)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-weight", "key"]
        constraints = [models.UniqueConstraint(fields=["customer", "key"], name="preference_once_per_key")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.label}"


class DocumentKind(models.TextChoices):
    VEHICLE_LICENCE = "vehicle_licence", "行驶证"
    ID_CARD = "id_card", "身份证"


class Document(models.Model):
    """A photo of a customer's 行驶证 or 身份证, kept only because a user chose to attach it (拍照识别
    reads photos without keeping them). The file is in the tenant's storage under
    ``tenants/<schema>/documents/`` (never served by the public media route: only by the API, to
    those who may see the customer, as a download); this row lists it, also in the tenant export."""

    # indexed by document_customer_idx (Meta), not twice
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="documents", db_index=False)
    vehicle = models.ForeignKey(
        Vehicle, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    file = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", db_constraint=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["customer"], name="document_customer_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file}"
