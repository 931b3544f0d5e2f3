from typing import Any

from django.core.management.base import BaseCommand

from tenants.demo import seed_demo


class Command(BaseCommand):
    help = "Create the demo tenants (Datang, Bowei, Furuika), their hosts, branding and people. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        for line in seed_demo():
            self.stdout.write(line)
