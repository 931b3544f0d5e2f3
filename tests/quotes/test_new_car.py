"""A new car is priced as new, not as a renewal (issue 17 §3).

The issue's car: 粤B, 5 seats, 1.5 L, bought for 180,000 and first registered on 29 Nov 2026, quoted on
6 Dec 2026 with the quick quote's default history (A1, one claim-free year) and the usual package
(车损险, 三者险 100万, 司机 1万, 乘客 1万 × 4), PICC at its 0.85 (the sample table, scale 1.00).
Hand-computed in tests/quotes/test_rating.py: ¥3,802.28 as a renewal, ¥4,619.10 as new."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from quotes.services import quote_create, quote_inputs, rate

pytestmark = pytest.mark.django_db

PACKAGE = {
    "ctpl": True,
    "vehicle_tax": True,
    "commercial": [
        {"code": "own_damage"},
        {"code": "third_party", "limit": "1000000"},
        {"code": "driver_liability", "seats": 1, "limit_per_seat": "10000"},
        {"code": "passenger_liability", "seats": 4, "limit_per_seat": "10000"},
    ],
}
AS_RENEWAL = {"ctpl_class": "A1", "claim_free_years": 1}


def week_old_car(registered: date, plate: str = "粤B51K27") -> dict:
    return {
        "plate": plate,
        "seats": 5,
        "displacement": "1.5",
        "use": "family",
        "purchase_price": "180000",
        "first_registered_on": registered.isoformat(),
        "purchase_date": registered.isoformat(),
    }


def test_the_issues_car_is_quoted_at_4619_10_and_a_stated_transfer_keeps_the_renewal_price(team, insurers):
    today = date(2026, 12, 6)
    with schema_context("datang"):
        quote = quote_create(
            actor=None,
            role="agent",
            channel="agent",
            new_customer={"name": "新车主", "mobile": "13912341701", "promoter_id": team.lead.pk},
            vehicle_data={
                **week_old_car(date(2026, 11, 29)),
                "displacement": Decimal("1.5"),
                "purchase_price": Decimal("180000"),
                "first_registered_on": date(2026, 11, 29),
                "purchase_date": date(2026, 11, 29),
            },
            history=AS_RENEWAL,
            coverages=PACKAGE,
            insurer_codes=["PICC"],
            today=today,
        )
        picc = quote.options.get()
        # 950.00 + 60.00 (360 × 2/12) + 3,609.10 (each line at NCD 1.0 × 0.85)
        assert (picc.ctpl_premium, picc.vehicle_tax, picc.commercial_premium, picc.total) == (
            Decimal("950.00"),
            Decimal("60.00"),
            Decimal("3609.10"),
            Decimal("4619.10"),
        )
        assert quote.premium == Decimal("4619.10")
        # What it was rated with, and what was stated, stay on the quote.
        assert quote.history == {
            "ctpl_class": "new", "claim_free_years": 0, "claims_last_year": 0, "source": "new_vehicle",
            "transferred": False, "stated": {"ctpl_class": "A1", "claim_free_years": 1, "claims_last_year": 0},
        }  # fmt: skip
        assert picc.breakdown["history"]["source"] == "new_vehicle"
        assert {line["ncd"] for line in picc.breakdown["commercial_lines"]} == {"1.0"}
        assert picc.breakdown["ctpl"]["floating_rate"] == "0"

        # The same car, the user stating that a history carries over (换车承继): the renewal price.
        inputs = quote_inputs(
            vehicle=quote.vehicle,
            vehicle_overrides={},
            province=None,
            history={**AS_RENEWAL, "transferred": True},
            coverages=PACKAGE,
            today=today,
        )
        assert inputs.history["source"] == "transferred"
        [offer] = rate(inputs, insurer_codes=["PICC"])
        assert offer.rating is not None and offer.rating.total == Decimal("3802.28")


def test_the_quick_quote_answers_with_the_history_it_used(team, insurers, as_distributor):
    agent = as_distributor(team.lead)
    registered = timezone.localdate() - timedelta(days=7)
    body = {
        "vehicle": week_old_car(registered),
        "history": AS_RENEWAL,
        "coverages": PACKAGE,
        "insurers": ["PICC"],
    }
    response = agent.post("/api/v1/rating/", body, format="json")
    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["history"] == {
        "ctpl_class": "new", "claim_free_years": 0, "claims_last_year": 0, "source": "new_vehicle",
        "transferred": False,
    }  # fmt: skip
    picc = result["options"][0]
    # 车船税 from the registration month to December (a week back may be last year: all 12 months).
    months = 12 if registered.year < timezone.localdate().year else 13 - registered.month
    tax = (Decimal(360 * months) / 12).quantize(Decimal("0.01"))
    assert (picc["ctpl_premium"], picc["vehicle_tax"], picc["commercial_premium"]) == (
        "950.00",
        format(tax, "f"),
        "3609.10",
    )
    assert picc["total"] == format(Decimal("4559.10") + tax, "f")

    transferred = agent.post(
        "/api/v1/rating/", {**body, "history": {**AS_RENEWAL, "transferred": True}}, format="json"
    ).json()
    assert transferred["history"]["source"] == "transferred"
    assert (transferred["options"][0]["ctpl_premium"], transferred["options"][0]["commercial_premium"]) == (
        "855.00",
        "2887.28",
    )


def test_a_car_with_a_policy_on_record_is_a_renewal_however_young(team, insurers, as_distributor):
    """Bought last month with a 交强险 from the dealer (its expiry on the record): its history is its own."""
    agent = as_distributor(team.lead)
    registered = timezone.localdate() - timedelta(days=40)
    typed = {
        **week_old_car(registered, plate="粤B51K28"),
        "ctpl_expires_on": str(registered + timedelta(days=364)),
    }
    body = {"vehicle": typed, "history": AS_RENEWAL, "coverages": {"ctpl": True, "vehicle_tax": False}}
    result = agent.post("/api/v1/rating/", body, format="json").json()
    assert result["history"]["source"] == "stated"
    assert result["options"][0]["ctpl_premium"] == "855.00"  # 950 × (1 − 10%)
