"""Students. The foundation holds only who is a student; the training-plan issue adds the rest."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class StudentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    GRADUATED = "graduated", _("Graduated")


class Student(models.Model):
    """A postgraduate: the student role is having this record."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="student", verbose_name=_("user")
    )
    student_number = models.CharField(_("student number"), max_length=32, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=StudentStatus.choices, default=StudentStatus.ENROLLED, db_index=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["student_number"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=StudentStatus.values), name="student_status_valid"),
            models.CheckConstraint(condition=~Q(student_number=""), name="student_number_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.student_number} {self.user.display_name}"
