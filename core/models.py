"""Records shared by every app."""

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EvidenceQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """A queryset for evidence tables: no bulk ``update()`` or ``delete()``.

    django-simple-history records changes made through ``save()`` only; a bulk update would change
    evidence without a trace. Refusing bulk writes keeps every change on the record (see
    docs/decisions/0002-history-library.md). Change evidence row by row through its service.
    """

    def update(self, **kwargs: object) -> int:
        raise TypeError(f"Bulk update of {self.model.__name__} is not allowed: it would bypass its history.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(f"Bulk delete of {self.model.__name__} is not allowed: evidence is never deleted.")


class AccessDenial(models.Model):
    """One denied request: who asked for what, and when. Written by ``partners.access.record_denial``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    target = models.CharField(_("target"), max_length=200)
    path = models.CharField(_("path"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("access denial")
        verbose_name_plural = _("access denials")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.target}"


class VersionedPerOwner(models.Model):
    """A row of a table that ``core.navcache.PARTITIONED`` versions per owner (ADR 0069): its ``save()`` says
    whose row it writes (``navcache.writing_rows``), so that a page kept with another owner's rows outlives
    it. Only when the row is new or the fields saved leave its owner as it was: any other save names no owner
    and ends every narrowed read of the table."""

    #: The foreign key naming the row's owner (a student, a person).
    versioned_owner: ClassVar[str]

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        from core import navcache

        owner = self.versioned_owner
        fields = kwargs.get("update_fields")
        if not (self._state.adding or (fields is not None and not {owner, f"{owner}_id"} & set(fields))):
            super().save(*args, **kwargs)
            return
        with navcache.writing_rows(self._meta.db_table, {getattr(self, f"{owner}_id")}):
            super().save(*args, **kwargs)


class Notification(VersionedPerOwner):
    """A message to one person, shown in the app and sent by e-mail.

    The subject is stored as its English source text with parameters and translated when shown, so each
    reader sees it in their own language. ``dedup_key`` makes reminders idempotent: a job that runs
    twice on one day cannot notify the same person twice for the same thing. The e-mail is claimed
    (``email_claimed_at``) before it is sent and marked sent (``emailed_at``) only after.
    """

    versioned_owner = "user"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    subject = models.CharField(_("subject"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    dedup_key = models.CharField(_("deduplication key"), max_length=120, null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    #: When a worker took the e-mail to send it (see ``core.services.notification_email``).
    email_claimed_at = models.DateTimeField(_("e-mail claimed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedup_key"], name="notification_dedup_unique"),
        ]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox_idx"),
            # The e-mail sweep's rows (core.services.notification_email.emails_waiting): few, found at once.
            models.Index(
                fields=["created_at"], condition=models.Q(emailed_at__isnull=True), name="notification_unsent_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The subject in the current language, with its parameters filled in."""
        from django.utils.translation import gettext

        try:
            return gettext(self.subject) % self.params if self.params else gettext(self.subject)
        except (KeyError, TypeError, ValueError):
            return self.subject
