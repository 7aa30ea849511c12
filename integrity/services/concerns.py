"""A violation opened from a review concern: the handler integrity registers in
``reviews.hooks.CONCERN_OUTCOMES`` under "violation" (``integrity.effects.register``).

The office closes the concern with ``reviews.services.concerns.concern_decide(outcome="violation", ...,
details={...})``, from integrity's page or the concerns API; reviews calls ``case_open_from_concern`` inside
the same transaction, which opens the case (source "review concern", linked to the concern) and returns its
number, stored on the concern. A refusal here (a kind missing, no evidence, someone who may not open cases)
refuses the whole decision: the concern stays open and no case exists.

Anonymity: the subject of the case reads its evidence. The evidence offered from the concern's thread names
the person who raised it "the reviewer", as the concern page does for those concerned.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from integrity.models import Case, CaseSource, SubjectKind
from integrity.services.cases import case_open
from partners import access
from partners.models import Partner
from reviews.models import Concern
from students.models import Student

#: What the case may be about, by ``subject``: the person the concern was addressed to, or the partner.
Subject = tuple[str, Student | None, User | None, Partner | None]


def concern_subjects(concern: Concern) -> dict[str, Subject]:
    """Whom a case from this concern may be about: the person it was addressed to (a student, or a tutor or
    supervisor), and the partner concerned. The first is the default."""
    options: dict[str, Subject] = {}
    person = concern.addressed_to
    if person is not None:
        student = Student.objects.filter(user=person).first()
        if student is not None:
            options[SubjectKind.STUDENT] = (SubjectKind.STUDENT, student, None, None)
        else:
            options[SubjectKind.PERSON] = (SubjectKind.PERSON, None, person, concern.partner)
    options[SubjectKind.PARTNER] = (SubjectKind.PARTNER, None, None, concern.partner)
    return options


def concern_reference(concern: Concern) -> str:
    """How the case names its source."""
    return _("Review concern #%(pk)s (%(category)s)") % {"pk": concern.pk, "category": concern.get_category_display()}


def concern_evidence(concern: Concern) -> str:
    """The concern's thread as a first draft of the evidence, without the name of who raised it."""
    lines = [concern_reference(concern)]
    for message in concern.messages.select_related("author").order_by("at", "pk"):
        if message.author_id == concern.raised_by_id:
            who = _("the reviewer")
        else:
            who = message.author.display_name if message.author else _("Tandem")
        lines.append(f"{message.at:%Y-%m-%d} {message.get_kind_display()} ({who}): {message.text}")
    return "\n".join(lines)


def case_open_from_concern(*, concern: Concern, note: str, by: User, details: Mapping[str, str]) -> str:
    """Open a case from a concern the office is closing: ``details`` holds the case's ``kind``, its
    ``evidence`` and, optionally, its ``subject`` (by default the person the concern was addressed to, else
    the partner). Returns the case's number (the concern's reference). Only who may open cases."""
    access.require(by, "open", Case)
    options = concern_subjects(concern)
    subject = (details.get("subject") or next(iter(options))).strip()
    if subject not in options:
        raise refuse(
            "subject",
            "invalid",
            _("A case from this concern is about the person it was addressed to or the partner concerned."),
        )
    kind, student, person, partner = options[subject]
    case = case_open(
        subject_kind=kind,
        kind=(details.get("kind") or "").strip(),
        source=CaseSource.REVIEW,
        evidence=details.get("evidence") or "",
        student=student,
        person=person,
        partner=partner,
        source_reference=concern_reference(concern),
        source_concern=concern,
        by=by,
    )
    return case.number
