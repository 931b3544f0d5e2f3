"""Reads of the directory other apps and the API rely on: which shop or insurer a signed-in staff
member works for. One lookup each, so every caller refuses a non-staff user the same way."""

from accounts.models import User
from core.errors import PermissionDenied
from core.prepared import Prepared
from directory.models import Insurer, InsurerStaff, Shop, ShopStaff

# read on every request of a shop's staff (a prepared read: compiled once per process)
_SHOP_STAFF = Prepared(
    lambda user_id: ShopStaff.objects.select_related("shop").filter(user_id=user_id, shop__active=True)
)


def shop_of(user: User) -> Shop:
    """The active shop ``user`` works at (403 when they work at none)."""
    staff = _SHOP_STAFF.first(user_id=user.pk)
    if staff is None:
        raise PermissionDenied("您不是任何门店的员工")
    return staff.shop


def insurer_of(user: User) -> Insurer:
    """The insurer ``user`` works for (403 ``not_insurer_staff`` when they work for none)."""
    staff = InsurerStaff.objects.select_related("insurer").filter(user=user).first()
    if staff is None:
        raise PermissionDenied("当前账号不属于任何保险公司", code="not_insurer_staff")
    return staff.insurer
