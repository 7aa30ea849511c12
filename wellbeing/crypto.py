"""Encryption at rest for the wellbeing app's texts: note bodies, request texts, questionnaire answers.

Fields store a Fernet token (AES-128-CBC with HMAC-SHA256, from ``cryptography``) instead of the text, so
the database, its dumps and its backups hold ciphertext only. The keys come from the environment
(``settings.WELLBEING_ENCRYPTION_KEYS``, newest first) through ``MultiFernet``: the first key encrypts,
every key decrypts, so a key is rotated by putting a new one first and running
``manage.py wellbeing_rotate_keys``, which re-encrypts every row with it (``rotate_model``).
Why not a field-encryption package: docs/decisions/0027-wellbeing-encryption-with-fernet.md.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction

#: Every stored token starts with this (Fernet's version byte, base64): how a test tells ciphertext.
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 (not a secret: the start of every token)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("WELLBEING_ENCRYPTION_KEYS is empty: the wellbeing app cannot encrypt.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured("WELLBEING_ENCRYPTION_KEYS holds a value that is not a Fernet key.") from error


def fernet() -> MultiFernet:
    """The keys in force (read from settings on each call, built once per set of keys)."""
    return _fernet(tuple(settings.WELLBEING_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    """The token for ``text`` under the first (newest) key."""
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    """The text of a token made under any key in force; a token no key opens is an error, never shown."""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured("A wellbeing record cannot be decrypted with the keys in force.") from error


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored as a Fernet token. Encryption is randomised: the column cannot be searched or sorted,
    and lookups on it find nothing (nobody should search counselling notes)."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def value_to_string(self, obj: models.Model) -> str:  # serialisers (dumpdata) see ciphertext only
        value = self.value_from_object(obj)
        return "" if not value else encrypt(str(value))


class EncryptedJSONField(models.TextField):  # type: ignore[type-arg]
    """A JSON value (questionnaire answers) stored as one Fernet token of its JSON text."""

    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        return json.loads(decrypt(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return encrypt(json.dumps(value))

    def value_to_string(self, obj: models.Model) -> str:  # serialisers (dumpdata) see ciphertext only
        return str(self.get_prep_value(self.value_from_object(obj)))


def encrypted_fields(model: type[models.Model]) -> list[str]:
    """The names of a model's encrypted fields."""
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField | EncryptedJSONField)
    ]


def rotate_model(model: type[models.Model], *, batch: int = 500) -> int:
    """Re-encrypt every row of ``model`` under the newest key; returns how many rows were rewritten.

    Each row is read (decrypted with whichever key made it) and written back (encrypted with the first
    key) by a plain ``UPDATE`` of its encrypted columns, in batches inside transactions: running it twice
    is harmless, and a row written meanwhile is already under the new key."""
    names = encrypted_fields(model)
    if not names:
        return 0
    manager = model._base_manager
    done = 0
    last_pk: Any = None
    while True:
        rows = manager.order_by("pk")
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        chunk = list(rows.values_list("pk", *names)[:batch])
        if not chunk:
            return done
        with transaction.atomic():
            for pk, *values in chunk:
                manager.filter(pk=pk).update(**dict(zip(names, values, strict=True)))
        done += len(chunk)
        last_pk = chunk[-1][0]
