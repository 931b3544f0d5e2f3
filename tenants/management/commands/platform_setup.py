"""What a new deployment needs after `migrate_schemas` (seed_demo did it for the demo): the
platform's own row (schema public) with its hosts (PUBLIC_HOSTS) and branding, and optionally the
first platform admin. Idempotent: run it on every deploy."""

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import Role, User
from accounts.services import membership_grant, user_create
from core.errors import DomainError
from tenants.services import public_tenant_ensure


class Command(BaseCommand):
    help = "Ensure the platform tenant and its hosts; optionally create the first platform admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--admin-mobile", default="")
        parser.add_argument("--admin-name", default="平台管理员")
        parser.add_argument(
            "--admin-password-env",
            default="PLATFORM_ADMIN_PASSWORD",
            help="the environment variable holding the admin's password (never on the command line)",
        )

    @transaction.atomic
    def handle(self, *args: Any, **opts: Any) -> None:
        public_tenant_ensure(hosts=list(settings.PUBLIC_HOSTS))
        self.stdout.write(f"platform hosts: {', '.join(settings.PUBLIC_HOSTS)}")
        mobile = opts["admin_mobile"]
        if not mobile:
            return
        user = User.objects.filter(mobile=mobile).first()
        if user is None:
            password = os.environ.get(opts["admin_password_env"], "")
            if not password:
                raise CommandError(f"set {opts['admin_password_env']} to the new admin's password")
            try:
                user = user_create(mobile=mobile, name=opts["admin_name"], password=password)
            except DomainError as exc:
                details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.fields.items())
                raise CommandError(f"{exc.message} {details}".strip()) from exc
        membership_grant(user=user, role=Role.PLATFORM_ADMIN, tenant_id=None)
        self.stdout.write(f"platform admin: {mobile}")
