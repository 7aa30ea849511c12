"""``manage.py seed_demo``: load the demo data (idempotent). Refuses to run with production settings."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.demo import DEMO_PASSWORD, all_logins, seed_demo


class Command(BaseCommand):
    help = "Load Tandem's demo data: partners, sites and a login for every role. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENVIRONMENT == "production":
            raise CommandError("seed_demo refuses to run with production settings: demo logins share one password.")
        seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Demo logins (password: {DEMO_PASSWORD}):"))
        for login in all_logins():
            self.stdout.write(f"  {login.username:<18} {login.role}")
