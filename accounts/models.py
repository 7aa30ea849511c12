"""The user model. Custom from the first migration, so that later fields need no table swap."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
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
