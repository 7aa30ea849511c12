"""``manage.py wellbeing_rotate_keys``: re-encrypt every wellbeing record under the newest key.

Put the new key first in WELLBEING_ENCRYPTION_KEYS (keep the old ones after it), run this, then remove the
old keys. Safe to run twice; prints counts only, never content."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from wellbeing.crypto import encrypted_fields, rotate_model


class Command(BaseCommand):
    help = "Re-encrypt every encrypted wellbeing field with the first key of WELLBEING_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_app_config("wellbeing").get_models():
            if not encrypted_fields(model):
                continue
            count = rotate_model(model)
            total += count
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"{total} rows re-encrypted under the newest key."))
