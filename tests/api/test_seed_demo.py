"""The demo world `make run` shows: three tenants, their people and networks; idempotent."""

import re

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from accounts.models import Membership, User
from catalog.models import GiftPack, IssuedPack, Product
from commissions.models import Entry
from customers.models import Customer, Reminder
from network.models import Distributor, NetworkPath
from network.selectors import upline_at
from quotes.models import InsurerTerms, Policy, Quote, QuoteOption
from tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_three_cases_and_running_it_again_adds_nothing(capsys) -> None:
    call_command("seed_demo")
    first = capsys.readouterr().out
    assert "http://furuika.localhost:8000/" in first and "Demo@2026" in first
    counts = (Tenant.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    assert (Tenant.objects.count(), Membership.objects.count()) == counts
    # Everyone the demo prints logs in with the printed password (agents too: the network makes them
    # without one).
    printed = set(re.findall(r"\b1[3-9]\d{9}\b", first))
    assert {"13800001011", "13800003011", "13800004001", "13800005001"} <= printed
    assert len(printed) == 22
    assert [m for m in sorted(printed) if not User.objects.get(mobile=m).check_password("Demo@2026")] == []

    furuika = Tenant.objects.get(schema_name="furuika")
    assert (furuika.kind, furuika.branding.display_name) == ("aftersales", "福瑞卡汽车售后")
    with schema_context("datang"):
        zhang = Distributor.objects.get(mobile="13800001013")
        assert [d.name for d in upline_at(distributor_id=zhang.pk, at=zhang.joined_at)] == [
            "李晓敏",
            "王海峰",
        ]
        assert zhang.tier is not None and zhang.tier.name == "代理人"
        paths = NetworkPath.objects.count()
        customers = Customer.objects.count()
        assert customers == 2 + 6  # the two owners and the brochure's six customers
        owner = Customer.objects.get(mobile="13900001021")
        assert owner.user is not None and owner.user.mobile == "13900001021"
        assert owner.promoter is not None and owner.promoter.name == "王海峰"
        assert Reminder.objects.filter(kind="renewal").exists()
        # The six cars due for renewal (four 粤; one 湘 and one 陕 taxed by Datang's own tables), in a
        # spread of states; six insurers quoted on each.
        assert sorted(Quote.objects.values_list("status", flat=True)) == [
            "agent_quoted",
            "agent_quoted",
            "completed",
            "issued",
            "platform_quoted",
            "platform_quoted",
        ]
        assert {p[0] for p in Quote.objects.values_list("plate")} >= {"湘B2D081", "陕EE1123"}
        assert QuoteOption.objects.filter(available=True).count() == 6 * 6
        assert Policy.objects.filter(line="ctpl").count() == 2
        quotes = Quote.objects.count()
        # The plan in force paid the chains of the two issued sales; the renewal pack went with
        # each 商业险 policy of 1,000 or more, its value charged to the seller.
        assert Entry.objects.filter(source_type="policy").exists()
        assert (Product.objects.count(), GiftPack.objects.count()) == (6, 2)
        given = IssuedPack.objects.filter(channel="policy").count()
        assert given >= 1 and Entry.objects.filter(kind="promotion").count() == given
        entries = Entry.objects.count()
    with schema_context("bowei"):
        assert sorted(InsurerTerms.objects.values_list("insurer__code", flat=True)) == [
            "CCIC",
            "CPIC",
            "PICC",
            "PINGAN",
        ]
    call_command("seed_demo")
    with schema_context("datang"):
        assert NetworkPath.objects.count() == paths
        assert Customer.objects.count() == customers
        assert Quote.objects.count() == quotes
        assert Entry.objects.count() == entries
