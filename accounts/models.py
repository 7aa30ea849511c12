"""The user model. Custom from the first migration, so that later fields need no table swap."""

from __future__ import annotations

import datetime
import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A person who logs in to Tandem.

    Roles are not fields here: platform roles are groups (see ``accounts.roles``) and partner roles are
    memberships (``partners.Membership``), so that one person can hold several at once.
    """

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name to show people: the full name, else first and last name, else the username."""
        return self.full_name or self.get_full_name() or self.username


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def expired(self, now: datetime.datetime | None = None) -> ApiTokenQuerySet:
        """Tokens past their expiry: they authenticate nobody and are deleted when seen."""
        return self.filter(expires_at__lte=now or timezone.now())


class ApiToken(models.Model):
    """A token for the API, issued by ``POST /api/v1/auth/token/`` (one per login, so one per client).

    Only a SHA-256 hash of the key is stored: the key itself is shown once, in the login's answer. A token
    dies when it expires (``API_TOKEN_TTL_HOURS`` after it was issued), when its owner logs out of the API
    (``DELETE /api/v1/auth/token/``), when the office revokes it in the admin, and when the owner's password
    changes (``password_fingerprint`` no longer matches, wherever the password was changed).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("person"), editable=False
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("prefix"), max_length=8, editable=False, help_text=_("The token's first characters, to recognise it.")
    )
    password_fingerprint = models.CharField(_("password fingerprint"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), db_index=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_user_idx")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        """The stored form of a key. A key is 256 random bits, so a plain SHA-256 is enough."""
        return hashlib.sha256(key.encode()).hexdigest()

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())
