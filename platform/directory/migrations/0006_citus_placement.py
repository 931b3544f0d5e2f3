"""Place the public schema's tables on a Citus cluster (core.citus; docs/scaling.md). A no-op on plain
PostgreSQL. Reference tables (copied to every node): what tenant tables point at and the small,
read-mostly tables joined with tenant data. Coordinator-local (one copy): the high-write tables."""

from django.db import migrations

from core.citus import CitusPlacement


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0002_branding_domain_verification_status_export"),
        ("accounts", "0007_refresh_tokens"),
        ("directory", "0005_shopinspection"),
        ("inventory", "0001_initial"),
        ("aftersales", "0002_shop_products"),
        ("bookings", "0001_initial"),
        ("subscriptions", "0002_default_plans"),
        ("notices", "0002_public_schema_tables"),
        ("core", "0005_event_txid"),
    ]

    operations = [
        CitusPlacement(
            # Parents first: a reference table may only point at reference tables.
            reference=[
                "tenants_tenant",
                "tenants_domain",
                "tenants_branding",
                "accounts_user",
                "accounts_membership",
                "directory_insurer",
                "directory_insurerratingtable",
                "directory_insurerstaff",
                "directory_shop",
                "directory_shopstaff",
                "aftersales_shopproduct",
                "bookings_slottemplate",
                "subscriptions_plan",
            ],
            local=[
                "aftersales_serviceorder",
                "aftersales_serviceitem",
                "aftersales_progressevent",
                "aftersales_review",
                "inventory_part",
                "inventory_servicepart",
                "inventory_stockmove",
                "bookings_booking",
                "bookings_slotload",
                "notices_notification",
                "notices_delivery",
                "notices_deliveryattempt",
                "core_auditevent",
                "core_domainevent",
                "accounts_authtoken",
                "accounts_refreshtoken",
            ],
        ),
    ]
