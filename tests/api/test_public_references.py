"""Tenant rows refer to public users, insurers and shops without a database foreign key
(core.public_rows; docs/scaling.md, "Tenant → public references").

What keeps such a reference from dangling is the application: those public rows refuse to be
deleted (instance or queryset) and are deactivated instead, and the reference keeps resolving. These
tests show that guard, that the database no longer holds per-tenant triggers on the public tables
(the cost that grew with every tenant), and that no new tenant → public foreign key slips in."""

from datetime import date

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import app_labels, schema_context

from accounts.models import User
from catalog.models import PartnerShop
from core.public_rows import PublicRowDeleteRefused
from customers.models import Customer
from directory.models import Insurer, Shop
from quotes.models import InsurerTerms
from tests.conftest import person


def tenant_to_public_fields() -> list[str]:
    """Every relation from a model in a tenant schema to a model only in the public schema."""
    tenant = set(app_labels(settings.TENANT_APPS))
    public_only = set(app_labels(settings.SHARED_APPS)) - tenant
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in tenant:
            continue
        for field in model._meta.concrete_fields:
            target = field.related_model
            if field.is_relation and isinstance(target, type) and target._meta.app_label in public_only:
                found.append(f"{model._meta.label}.{field.name}")
                assert getattr(field, "db_constraint", None) is False, (
                    f"{model._meta.label}.{field.name} points into the public schema: declare it with"
                    " db_constraint=False (core.public_rows), and keep its target undeletable"
                )
    return found


def test_every_tenant_to_public_relation_is_declared_without_a_database_constraint() -> None:
    found = tenant_to_public_fields()
    # the 35 of today, among them users (27), insurers (6) and shops (1) ...
    assert len(found) >= 35
    named = {"customers.Customer.created_by", "quotes.Policy.insurer", "catalog.PartnerShop.shop"}
    assert named <= set(found)
    # ... and their targets are the models that refuse deletion
    targets = {
        f.related_model
        for m in apps.get_models()
        for f in m._meta.concrete_fields
        if f"{m._meta.label}.{f.name}" in found
    }
    assert targets == {User, Insurer, Shop}


@pytest.mark.django_db
def test_a_tenant_schema_puts_no_trigger_on_public_tables(datang) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace"
            " WHERE k.contype = 'f' AND n.nspname = 'datang'"
            " AND k.confrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)"
        )
        assert cursor.fetchone()[0] == 0
        # the triggers PostgreSQL keeps on the referenced table, one pair per foreign key: none from
        # any tenant schema
        cursor.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgconstrrelid"
            " WHERE t.tgrelid IN ('public.accounts_user'::regclass, 'public.directory_insurer'::regclass,"
            " 'public.directory_shop'::regclass) AND c.relnamespace <> 'public'::regnamespace"
        )
        assert cursor.fetchone()[0] == 0
        # the reference column keeps its index
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'datang' AND tablename = 'customers_customer'"
            " AND indexdef LIKE '%(created_by_id)%'"
        )
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db
def test_what_keeps_a_tenant_reference_from_dangling(datang) -> None:
    agent = person("datang_agent")
    shop = Shop.objects.create(name="引用测试门店", uscc="91440300REF000001")
    insurer = Insurer.objects.get(code="PICC")
    with schema_context("datang"):
        customer = Customer.objects.create(
            name="引用客户", mobile="13900007711", registered_on=date(2026, 3, 1), created_by=agent
        )
        PartnerShop.objects.create(shop=shop)
        InsurerTerms.objects.get_or_create(insurer=insurer)

    # The database would let the delete through now (no foreign key); the models refuse it, for
    # one row and for a queryset, and nothing is deleted.
    for row in (agent, insurer, shop):
        model = type(row)
        with pytest.raises(PublicRowDeleteRefused, match="deactivate"), transaction.atomic():
            row.delete()
        with pytest.raises(PublicRowDeleteRefused), transaction.atomic():
            model.objects.filter(pk=row.pk).delete()
        assert model.objects.filter(pk=row.pk).exists()

    # Deactivating is the way out, and every tenant reference still resolves.
    User.objects.filter(pk=agent.pk).update(is_active=False)
    Shop.objects.filter(pk=shop.pk).update(active=False)
    with schema_context("datang"):
        customer = Customer.objects.select_related("created_by").get(pk=customer.pk)
        assert customer.created_by == agent and not customer.created_by.is_active
        assert PartnerShop.objects.get(shop_id=shop.pk).shop.name == "引用测试门店"
        assert InsurerTerms.objects.get(insurer=insurer).insurer.code == "PICC"
