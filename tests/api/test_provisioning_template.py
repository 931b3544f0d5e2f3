"""A tenant schema is a copy of the migrated template (tenants.provisioning), not a migration run.

The copy must be the same schema a migration run makes (catalog compared object by object), be
rebuilt whenever the migrations change, leave nothing behind when provisioning fails, work under
two provisionings at once, and run the product."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from customers.models import Customer
from quotes.models import Quote
from tenants import provisioning
from tenants.models import Domain, SchemaTemplate, Tenant
from tenants.services import tenant_provision
from tests.conftest import committed_db, password_login
from tests.insurers import enable_insurers


def tenant_table_count() -> int:
    """The tables a tenant schema holds: one per managed model of the tenant apps (many-to-many
    tables included) plus django_migrations. Counted from the models, so a new model moves it."""
    from django.apps import apps
    from django.conf import settings
    from django_tenants.utils import app_labels

    labels = set(app_labels(settings.TENANT_APPS))
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in labels and model._meta.managed and not model._meta.proxy
    }
    return len(tables) + 1


def tenant_migrations() -> list[tuple[str, str]]:
    """What migrate_schemas records in a tenant's django_migrations: every migration of the
    project, the shared apps' included (applied there as no-ops by the router)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(loader.graph.nodes)


@pytest.mark.django_db
def test_a_copied_schema_is_the_schema_the_migrations_make() -> None:
    provisioning.schema_migrate_create("by_migrations")
    provisioning.schema_create("by_template")
    migrated = provisioning.schema_catalog("by_migrations")
    copied = provisioning.schema_catalog("by_template")
    for part in migrated:
        assert copied[part] == migrated[part], part

    # what the comparison covered, as facts
    tables = {t[0] for t in copied["tables"]}
    assert {"customers_customer", "quotes_quote", "commissions_entry", "django_migrations"} <= tables
    assert len(copied["sequences"]) == len(tables)  # one identity sequence per table
    # foreign keys inside the tenant's own schema; none into the public one (core.public_rows)
    fks = {(c[0], c[3]) for c in copied["constraints"] if c[2] == "f"}
    assert not any("REFERENCES public." in d for t, d in fks)
    assert any(t == "quotes_quote" and "REFERENCES <s>.quotes_quoteoption(id)" in d for t, d in fks)
    # sequences start fresh, except where the migrations wrote rows (content types, the ledger of
    # migrations itself)
    last = {s[0]: s[8] for s in copied["sequences"]}
    assert last["customers_customer_id_seq"] is None
    assert last["django_content_type_id_seq"] == len(copied["content_types"]) > 50
    assert last["django_migrations_id_seq"] == len(copied["migrations"])
    # every tenant migration is recorded, as migrate_schemas would have done
    assert sorted(copied["migrations"]) == tenant_migrations()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM by_template.django_migrations WHERE applied > now() - interval '1 minute'"
        )
        assert cursor.fetchone()[0] == len(tenant_migrations())
    # and migrate_schemas finds nothing left to apply in the copy
    call_command("migrate_schemas", tenant=True, schema_name="by_template", check_unapplied=True, verbosity=0)
    connection.set_schema_to_public()  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_identity_columns_of_a_copy_number_from_one() -> None:
    provisioning.schema_create("numbered")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO numbered.core_eventcursor (consumer, last_id, txid_floor) VALUES ('x', 0, 0) RETURNING id"
        )
        assert cursor.fetchone()[0] == 1


def test_the_template_key_follows_every_migration_file(monkeypatch, db) -> None:
    files = provisioning._migration_files()
    provisioning.template_forget()
    key = provisioning.template_key()
    changed = [*files[:-1], (files[-1][0], files[-1][1], files[-1][2] + b"\n# edited\n")]
    monkeypatch.setattr(provisioning, "_migration_files", lambda: changed)
    provisioning.template_forget()
    assert provisioning.template_key() != key
    monkeypatch.setattr(provisioning, "_migration_files", lambda: [*files, ("customers", "9999_new", b"")])
    provisioning.template_forget()
    assert provisioning.template_key() != key
    monkeypatch.undo()
    provisioning.template_forget()
    assert provisioning.template_key() == key


@pytest.mark.django_db
def test_a_changed_migration_set_builds_a_new_template_and_the_old_one_is_not_used(monkeypatch) -> None:
    current = provisioning.template_key()
    assert SchemaTemplate.objects.filter(key=current).exists()  # the test world's tenants built it
    files = provisioning._migration_files()
    monkeypatch.setattr(provisioning, "_migration_files", lambda: [*files, ("customers", "9999_new", b"x")])
    provisioning.template_forget()
    try:
        new_key = provisioning.template_key()
        assert new_key != current and not SchemaTemplate.objects.filter(key=new_key).exists()
        provisioning.schema_create("after_change")
        built = SchemaTemplate.objects.get(key=new_key)
        assert built.table_count == tenant_table_count() and built.migration_count == len(tenant_migrations())
        # the template schema it was read from is gone
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'sxbtpl_%%'")
            assert cursor.fetchone()[0] == 0
        assert (
            provisioning.schema_catalog("after_change")["migrations"]
            == provisioning.schema_catalog("datang")["migrations"]
        )
    finally:
        monkeypatch.undo()
        provisioning.template_forget()


@pytest.mark.django_db
def test_a_template_with_what_the_generator_cannot_copy_is_refused() -> None:
    provisioning.schema_migrate_create("odd_template")
    with connection.cursor() as cursor:
        cursor.execute("CREATE VIEW odd_template.v AS SELECT 1 AS one")
        cursor.execute("CREATE FUNCTION odd_template.f() RETURNS int LANGUAGE sql AS 'SELECT 1'")
    with pytest.raises(provisioning.TemplateUnsupported) as refused:
        provisioning.template_sql("odd_template")
    assert "v (v)" in str(refused.value) and "functions or procedures: f" in str(refused.value)
    connection.set_schema_to_public()  # type: ignore[attr-defined]


@committed_db
def test_a_provisioning_that_fails_leaves_nothing_behind() -> None:
    def fail(tenant: Tenant) -> None:
        assert schema_exists("halfmade")  # the schema was made, inside the transaction
        raise RuntimeError("the subscription could not be opened")

    with pytest.raises(RuntimeError):
        tenant_provision(
            actor=None, name="半途公司", schema_name="halfmade", domain="halfmade.localhost", then=fail
        )
    assert not schema_exists("halfmade")
    assert not Tenant.objects.filter(schema_name="halfmade").exists()
    assert not Domain.objects.filter(domain="halfmade.localhost").exists()

    # a failure inside the copy itself: a broken script stops at its error, nothing is left
    good = provisioning.template_ensure()
    provisioning._sql_cache[provisioning.template_key()] = good + "SELECT 1/0;\n"
    try:
        with pytest.raises(Exception, match="division by zero"):
            tenant_provision(actor=None, name="半途公司", schema_name="halfmade", domain="halfmade.localhost")
    finally:
        provisioning.template_forget()
    assert not schema_exists("halfmade")
    assert not Tenant.objects.filter(schema_name="halfmade").exists()


@committed_db
def test_two_tenants_provisioned_at_the_same_time_both_work() -> None:
    provisioning.template_ensure()
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def provision(schema: str) -> None:
        try:
            barrier.wait()
            tenant_provision(
                actor=None, name=f"并发{schema}", schema_name=schema, domain=f"{schema}.localhost"
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=provision, args=(s,)) for s in ("twinone", "twintwo")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    one, two = provisioning.schema_catalog("twinone"), provisioning.schema_catalog("twintwo")
    assert one == two and len(one["tables"]) == tenant_table_count()
    for schema in ("twinone", "twintwo"):
        with schema_context(schema):
            assert Customer.objects.count() == 0


def test_the_product_works_in_a_copied_tenant(api) -> None:
    response = api("platform_admin").post(
        "/api/v1/platform/tenants/",
        {
            "name": "复制保险经纪有限公司",
            "schema_name": "copied",
            "kind": "brokerage",
            "domain": "copied.localhost",
            "branding": {"display_name": "复制经纪"},
            "admin": {"mobile": "13655550001", "name": "复管理", "password": "Copied@2026"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    enable_insurers("copied", ["PICC"])
    client = api(None, host="copied.localhost")
    login = password_login(client, "13655550001", "Copied@2026")
    assert login.status_code == 200, login.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['token']}")

    today = timezone.localdate()
    created = client.post(
        "/api/v1/customers/",
        {
            "name": "李四",
            "mobile": "13912345678",
            "vehicles": [
                {
                    "plate": "粤B2088Z", "vin": "LSVAU218XN2183294", "seats": 5, "displacement": "2.0",
                    "use": "family", "first_registered_on": "2022-03-15", "purchase_price": "215000.00",
                    "ctpl_expires_on": str(today + timedelta(days=40)),
                    "commercial_expires_on": str(today + timedelta(days=40)),
                }
            ],
        },
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    vehicle_id = created.json()["vehicles"][0]["id"]
    quote = client.post(
        "/api/v1/quotes/",
        {
            "vehicle_id": vehicle_id,
            "history": {"ctpl_class": "A1", "claim_free_years": 1},
            "coverages": {"ctpl": True, "vehicle_tax": True, "commercial": [{"code": "third_party", "limit": "1000000"}]},
        },
        format="json",
    )  # fmt: skip
    assert quote.status_code == 201, quote.content
    # 交强险 950 × 0.9 = 855.00, 车船税 420.00, 三者险 100万 PICC 1100 × 0.8 × 0.85 = 748.00
    assert quote.json()["premium"] == "2023.00"
    with schema_context("copied"):
        assert Customer.objects.get().pk == 1  # the copy's sequences start fresh
        assert Quote.objects.count() == 1
    with schema_context("datang"):
        assert not Customer.objects.filter(mobile="13912345678").exists()
