from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import DomainError
from tenants.models import TenantKind
from tenants.services import AdminSpec, tenant_provision


class Command(BaseCommand):
    help = "Create a tenant: its schema (migrated), domain, branding and first admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="legal name, e.g. 大唐保险经纪有限公司")
        parser.add_argument("--schema", required=True, help="schema name, e.g. datang")
        parser.add_argument("--domain", required=True, help="host, e.g. datang.localhost")
        parser.add_argument(
            "--kind", default=TenantKind.BROKERAGE, choices=[TenantKind.BROKERAGE, TenantKind.AFTERSALES]
        )
        parser.add_argument("--display-name", default="")
        parser.add_argument("--short-name", default="")
        parser.add_argument("--slogan", default="")
        parser.add_argument("--logo-url", default="")
        parser.add_argument("--primary-color", default="")
        parser.add_argument("--secondary-color", default="")
        parser.add_argument("--admin-mobile")
        parser.add_argument("--admin-name", default="")
        parser.add_argument("--admin-password", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        admin = None
        if opts["admin_mobile"]:
            admin = AdminSpec(
                mobile=opts["admin_mobile"], name=opts["admin_name"], password=opts["admin_password"]
            )
        try:
            tenant = tenant_provision(
                actor=None,
                name=opts["name"],
                schema_name=opts["schema"],
                domain=opts["domain"],
                kind=opts["kind"],
                branding={
                    "display_name": opts["display_name"] or opts["name"],
                    "short_name": opts["short_name"],
                    "slogan": opts["slogan"],
                    "logo_url": opts["logo_url"],
                    "primary_color": opts["primary_color"],
                    "secondary_color": opts["secondary_color"],
                },
                admin=admin,
            )
        except DomainError as exc:
            details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.fields.items())
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        self.stdout.write(
            self.style.SUCCESS(f"created tenant {tenant.name} ({tenant.schema_name}) at {opts['domain']}")
        )
