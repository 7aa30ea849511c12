"""A person's private check-in: mood and stress, optionally PHQ-9 and GAD-7, scored with their published
bands. A crisis answer (PHQ-9 item 9 above zero) opens an urgent request for the person at once, so that
the counsellor on duty is told (``cases.case_request``); the page shows the hotlines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from partners import access
from wellbeing import questionnaires
from wellbeing.models import Case, CaseStatus, CheckIn, EventKind, Urgency
from wellbeing.services.records import default_service, event_record


@dataclass(frozen=True)
class CheckInResult:
    check_in: CheckIn
    #: the urgent request opened for a crisis answer (None otherwise)
    urgent_case: Case | None


def check_in_create(
    *,
    by: User,
    mood: int,
    stress: int,
    phq9: Sequence[int] | None = None,
    gad7: Sequence[int] | None = None,
) -> CheckInResult:
    """Record a check-in for ``by`` (only ever for oneself). Answers are kept encrypted; totals beside them."""
    access.require(by, "create", CheckIn)
    if mood not in range(1, 6):
        raise refuse("mood", "scale", _("Choose how you feel, from 1 to 5."))
    if stress not in range(1, 6):
        raise refuse("stress", "scale", _("Choose your stress, from 1 to 5."))
    answers: dict[str, list[int]] = {}
    phq9_total = gad7_total = None
    try:
        if phq9:
            phq9_total = questionnaires.phq9_score(phq9).total
            answers["phq9"] = list(phq9)
        if gad7:
            gad7_total = questionnaires.gad7_score(gad7).total
            answers["gad7"] = list(gad7)
    except ValueError:
        raise refuse("__all__", "questionnaire", _("Answer every question of the questionnaire, or none.")) from None
    crisis = questionnaires.is_crisis_answer(phq9)
    with transaction.atomic():
        check_in = CheckIn.objects.create(
            person=by,
            mood=mood,
            stress=stress,
            answers=answers or None,
            phq9_score=phq9_total,
            gad7_score=gad7_total,
            crisis=crisis,
            created_at=timezone.now(),
        )
        event_record(
            kind=EventKind.CHECK_IN, person=by, when=check_in.created_at, source_key=f"checkin:{check_in.pk}", band=mood
        )
        urgent = None
        if crisis:
            from wellbeing.services.cases import case_request

            urgent = Case.objects.filter(person=by, urgency=Urgency.URGENT, status=CaseStatus.WAITING).first()
            if urgent is None:
                service = default_service(by)
                if service is not None:
                    urgent = case_request(
                        by=by,
                        service=service,
                        topic=_("A check-in answer asked for help (PHQ-9 question 9)."),
                        urgency=Urgency.URGENT,
                        consent_given=False,
                    )
    return CheckInResult(check_in, urgent)
