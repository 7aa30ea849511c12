"""Records shared by every app."""

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
