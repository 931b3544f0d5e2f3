"""What the quote flow feeds elsewhere: the customer butler's insurer preference (from policies
bought), and the daily expiry task, run in a tenant's schema."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from customers.butler import preferences_recompute
from customers.models import Preference
from customers.services import customer_create
from quotes.models import Quote, QuoteChannel, QuoteStatus
from quotes.services import quote_accept, quote_create
from quotes.tasks import quotes_expire_task
from tests.insurers import car

pytestmark = pytest.mark.django_db

CTPL_AND_THIRD_PARTY = {"ctpl": True, "commercial": [{"code": "third_party", "limit": "1000000"}]}


def buy(vehicle, insurer_code: str) -> Quote:
    quote = quote_create(
        actor=None, role="owner", channel=QuoteChannel.OWNER, vehicle=vehicle, coverages=CTPL_AND_THIRD_PARTY,
        history={"ctpl_class": "A1", "claim_free_years": 1},
    )  # fmt: skip
    option = quote.options.get(insurer__code=insurer_code)
    return quote_accept(actor=None, role="owner", quote=quote, option_id=option.pk)  # type: ignore[arg-type]


def test_the_butler_learns_the_insurer_a_customer_keeps_buying(insurers) -> None:
    with schema_context("datang"):
        customer = customer_create(
            actor=None,
            name="周先生",
            mobile="13912340011",
            vehicles=[car(plate=p, vin="") for p in ("粤B6K001", "粤B6K002", "粤B6K003")],
        )
        cars = list(customer.vehicles.order_by("plate"))
        for vehicle, code in zip(cars, ("PINGAN", "PICC", "PINGAN"), strict=True):
            buy(vehicle, code)
        preferences_recompute()
        tag = Preference.objects.get(customer=customer, key="insurer:平安")
        assert (tag.label, tag.evidence, tag.weight) == ("偏好平安", "3 次投保中 2 次为平安", Decimal("0.67"))


def test_the_daily_task_expires_only_this_tenants_stale_quotes(insurers) -> None:
    stale = {}
    for schema, plate, mobile in (
        ("datang", "粤B6K010", "13912340012"),
        ("bowei", "粤B6K011", "13912340013"),
    ):
        with schema_context(schema):
            vehicle = customer_create(
                actor=None, name="过期", mobile=mobile, vehicles=[car(plate=plate, vin="")]
            )
            quote = quote_create(
                actor=None, role="owner", channel=QuoteChannel.OWNER, vehicle=vehicle.vehicles.get(),
                coverages={"ctpl": True},
            )  # fmt: skip
            Quote.objects.filter(pk=quote.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
            stale[schema] = quote.pk
    with schema_context("datang"):
        assert quotes_expire_task() == {"schema_name": "datang", "expired": 1}
        assert Quote.objects.get(pk=stale["datang"]).status == QuoteStatus.EXPIRED
        assert [e.actor_name for e in Quote.objects.get(pk=stale["datang"]).events.all()][-1] == "系统"
    with schema_context("bowei"):
        assert Quote.objects.get(pk=stale["bowei"]).status == QuoteStatus.PLATFORM_QUOTED
