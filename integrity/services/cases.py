"""The violations register: opening a case, assigning investigators, its steps, the subject's statement and
appeal, decisions and their effects.

Steps: opened → investigating → hearing (the subject's written statement, within a deadline) → decided →
(appealed → decided again, by another office member) → closed. Each step is a ``CaseEvent`` row with who
and when; the case's columns only say where it stands now (its status and the decision in force).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.services.notifications import notify
from core.validation import refuse
from integrity.models import (
    Case,
    CaseDecision,
    CaseEvent,
    CaseInvestigator,
    CaseKind,
    CaseSource,
    CaseStatus,
    CaseStep,
    OriginalityReport,
    Remedy,
    Sanction,
    SubjectKind,
)
from partners import access
from partners.models import Membership, Partner
from reviews.models import Concern
from students.models import Placement, Student

#: Statuses in which a decision stands (its effects apply).
DECISION_STANDS = (CaseStatus.DECIDED, CaseStatus.APPEALED, CaseStatus.CLOSED)


def _subject_users(case: Case) -> list[User]:
    if case.subject_kind == SubjectKind.STUDENT and case.subject_student is not None:
        return [case.subject_student.user]
    if case.subject_kind == SubjectKind.PERSON and case.subject_user is not None:
        return [case.subject_user]
    return []


def _tell_subject(case: Case, subject: str) -> None:
    users = _subject_users(case)
    if users:
        notify(
            users=users,
            kind="integrity_case",
            subject=subject,
            params={"number": case.number},
            link=reverse("integrity:case", args=[case.pk]),
        )


def _event(case: Case, step: str, by: User, note: str = "", **data: object) -> CaseEvent:
    return CaseEvent.objects.create(case=case, step=step, note=note, data=data, by=by)


def _next_number(year: int) -> str:
    prefix = f"IC-{year}-"
    last = Case.objects.filter(number__startswith=prefix).aggregate(last=Max("number"))["last"]
    sequence = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def _person_partner(user: User) -> Partner | None:
    membership = Membership.objects.active().filter(user=user).select_related("partner").order_by("pk").first()
    return membership.partner if membership is not None else None


@transaction.atomic
def case_open(
    *,
    subject_kind: str,
    kind: str,
    source: str,
    evidence: str,
    by: User,
    student: Student | None = None,
    person: User | None = None,
    partner: Partner | None = None,
    source_report: OriginalityReport | None = None,
    source_reference: str = "",
    source_concern: Concern | None = None,
) -> Case:
    """Open a case (the office). The subject is a student, a supervisor or teacher (``person``; the case is
    filed under the partner they belong to, or the ``partner`` given, so its coordinator learns of it), or a
    partner. A case from an originality report is about the report's student; one from a review concern
    names it (``integrity.services.concerns``)."""
    access.require(by, "open", Case)
    if subject_kind not in SubjectKind.values:
        raise refuse("subject_kind", "invalid", _("Choose whom the case is about."))
    if kind not in CaseKind.values:
        raise refuse("kind", "invalid", _("Choose the kind of violation."))
    if source not in CaseSource.values:
        raise refuse("source", "invalid", _("Choose where the case comes from."))
    if not (evidence or "").strip():
        raise refuse("evidence", "required", _("Describe the evidence."))
    if source == CaseSource.ORIGINALITY:
        if source_report is None:
            raise refuse("source_report", "required", _("Name the originality report the case comes from."))
        student = source_report.submission.student
        subject_kind = SubjectKind.STUDENT
    if subject_kind == SubjectKind.STUDENT:
        if student is None:
            raise refuse("student", "required", _("Choose the student."))
        person, partner = None, None
    elif subject_kind == SubjectKind.PERSON:
        if person is None:
            raise refuse("person", "required", _("Choose the supervisor or teacher."))
        student, partner = None, partner or _person_partner(person)
    else:
        if partner is None:
            raise refuse("partner", "required", _("Choose the partner."))
        student, person = None, None
    now = timezone.now()
    case = Case.objects.create(
        number=_next_number(timezone.localtime(now).year),
        subject_kind=subject_kind,
        subject_student=student,
        subject_user=person,
        subject_partner=partner,
        kind=kind,
        source=source,
        source_report=source_report,
        source_reference=(source_reference or "").strip()[:300],
        source_concern=source_concern,
        evidence=evidence.strip(),
        opened_by=by,
        opened_at=now,
    )
    _event(case, CaseStep.OPENED, by, evidence.strip())
    _tell_subject(case, gettext_noop("Case %(number)s has been opened about you."))
    return case


def _conflicts(case: Case, user: User) -> str:
    """Why ``user`` may not investigate ``case`` ("" if they may)."""
    if user in _subject_users(case):
        return _("%(name)s is the case's subject.") % {"name": user}
    if (
        case.subject_partner_id
        and Membership.objects.active().filter(user=user, partner_id=case.subject_partner_id).exists()
    ):
        return _("Conflict of interest: %(name)s belongs to the partner concerned.") % {"name": user}
    student = case.subject_student
    if student is not None:
        if user.pk in (student.tutor_id, student.practice_supervisor_id):
            return _("Conflict of interest: %(name)s supervises the student.") % {"name": user}
        if Placement.objects.filter(student=student, supervisor=user).exists():
            return _("Conflict of interest: %(name)s supervises the student.") % {"name": user}
    if not (access.is_office(user) or access.is_inspector(user)):
        return _("%(name)s is neither in the office nor an inspector.") % {"name": user}
    return ""


@transaction.atomic
def case_assign(*, case: Case, investigators: Sequence[User], by: User) -> list[CaseInvestigator]:
    """Assign investigators (the office): office members or inspectors without a conflict of interest
    (the subject themself, a member of the partner concerned, the student's tutor or supervisors)."""
    access.require(by, "decide", case)
    case = Case.objects.select_for_update(of=("self",)).select_related("subject_student").get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise refuse(NON_FIELD_ERRORS, "closed", _("The case is closed."))
    if not investigators:
        raise refuse("investigators", "required", _("Assign at least one investigator."))
    for user in investigators:
        reason = _conflicts(case, user)
        if reason:
            raise refuse("investigators", "conflict_of_interest", reason)
    added = []
    for user in investigators:
        row, created = CaseInvestigator.objects.get_or_create(case=case, user=user, defaults={"assigned_by": by})
        if created:
            added.append(row)
    if added:
        _event(case, CaseStep.ASSIGNED, by, ", ".join(str(r.user) for r in added))
    return added


#: Which step moves a case from which status, by ``case_advance``.
_ADVANCE = {
    CaseStep.INVESTIGATING: (CaseStatus.OPENED, CaseStatus.INVESTIGATING),
    CaseStep.HEARING: (CaseStatus.INVESTIGATING, CaseStatus.HEARING),
    CaseStep.CLOSED: (CaseStatus.DECIDED, CaseStatus.CLOSED),
}


@transaction.atomic
def case_advance(
    *, case: Case, step: str, by: User, note: str = "", statement_due: datetime.date | None = None
) -> Case:
    """Move a case on (the office or its investigators): start the investigation (it needs an
    investigator), open the hearing (with the deadline for the subject's written statement), or close a
    decided case."""
    access.require(by, "advance", case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if step not in _ADVANCE:
        raise refuse("step", "invalid", _("Choose the next step."))
    before, after = _ADVANCE[CaseStep(step)]
    if case.status != before:
        raise refuse(
            "step",
            "wrong_status",
            _("A case that is %(status)s cannot take this step.") % {"status": case.get_status_display().lower()},
        )
    if step == CaseStep.INVESTIGATING and not case.investigators.exists():
        raise refuse("step", "no_investigator", _("Assign an investigator first."))
    data: dict[str, object] = {}
    if step == CaseStep.HEARING:
        if statement_due is None or statement_due < timezone.localdate():
            raise refuse("statement_due", "required", _("Give the statement's deadline, today or later."))
        case.statement_due = statement_due
        data["statement_due"] = statement_due.isoformat()
    case.status = after
    case.save(update_fields=["status", "statement_due"])
    _event(case, step, by, (note or "").strip(), **data)
    if step == CaseStep.HEARING:
        _tell_subject(case, gettext_noop("Case %(number)s: you are invited to answer in writing."))
    return case


@transaction.atomic
def case_statement(*, case: Case, text: str, by: User) -> CaseEvent:
    """The subject's written statement, during the hearing and by its deadline."""
    access.require(by, "answer", case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.HEARING:
        raise refuse(NON_FIELD_ERRORS, "not_hearing", _("The case is not at its hearing."))
    if case.statement_due is not None and timezone.localdate() > case.statement_due:
        raise refuse(
            NON_FIELD_ERRORS,
            "deadline_passed",
            _("The deadline for your statement passed on %(day)s.") % {"day": case.statement_due.isoformat()},
        )
    if not (text or "").strip():
        raise refuse("text", "required", _("Write your statement."))
    return _event(case, CaseStep.STATEMENT, by, text.strip())


def _check_decision(case: Case, decision: str, remedy: str, sanction: str, until: datetime.date | None) -> None:
    if decision not in CaseDecision.values:
        raise refuse("decision", "invalid", _("Choose the decision."))
    if decision == CaseDecision.REMEDY and remedy not in Remedy.values:
        raise refuse("remedy", "required", _("Choose the remedy."))
    if decision == CaseDecision.SANCTION:
        if sanction not in Sanction.values:
            raise refuse("sanction", "required", _("Choose the sanction."))
        if sanction == Sanction.SUSPEND_SUPERVISION and case.subject_kind != SubjectKind.PERSON:
            raise refuse("sanction", "wrong_subject", _("Only a supervisor's eligibility can be suspended."))
        if sanction == Sanction.DELAY_DEFENCE:
            if case.subject_kind != SubjectKind.STUDENT:
                raise refuse("sanction", "wrong_subject", _("Only a student's defence can be delayed."))
            if until is None or until <= timezone.localdate():
                raise refuse("sanction_until", "required", _("Give the date the defence is delayed until."))


@transaction.atomic
def case_decide(
    *,
    case: Case,
    decision: str,
    reasons: str,
    by: User,
    remedy: str = "",
    sanction: str = "",
    sanction_until: datetime.date | None = None,
) -> Case:
    """Decide a case at its hearing (the office), once the subject has answered or the deadline has passed;
    or decide it again on appeal, by an office member other than the one who decided it first."""
    access.require(by, "decide", case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.HEARING:
        step = CaseStep.DECIDED
        answered = case.events.filter(step=CaseStep.STATEMENT).exists()
        if not answered and case.statement_due is not None and timezone.localdate() <= case.statement_due:
            raise refuse(
                NON_FIELD_ERRORS,
                "hearing_open",
                _("The subject may still answer until %(day)s.") % {"day": case.statement_due.isoformat()},
            )
    elif case.status == CaseStatus.APPEALED:
        step = CaseStep.REDECIDED
        if case.decided_by_id == by.pk:
            raise refuse(NON_FIELD_ERRORS, "same_decider", _("An appeal is decided by another office member."))
    else:
        raise refuse(NON_FIELD_ERRORS, "wrong_status", _("Only a case at its hearing or on appeal can be decided."))
    if not (reasons or "").strip():
        raise refuse("reasons", "required", _("Write the decision's reasons."))
    _check_decision(case, decision, remedy, sanction, sanction_until)
    case.decision = decision
    case.remedy = remedy if decision == CaseDecision.REMEDY else ""
    case.sanction = sanction if decision == CaseDecision.SANCTION else ""
    case.sanction_until = sanction_until if case.sanction else None
    case.decided_by, case.decided_at = by, timezone.now()
    case.status = CaseStatus.DECIDED
    case.save()
    _event(
        case,
        step,
        by,
        reasons.strip(),
        decision=decision,
        remedy=case.remedy,
        sanction=case.sanction,
        sanction_until=case.sanction_until.isoformat() if case.sanction_until else "",
    )
    _tell_subject(case, gettext_noop("Case %(number)s has been decided."))
    return case


@transaction.atomic
def case_appeal(*, case: Case, grounds: str, by: User) -> Case:
    """The subject appeals a decision, once; another office member decides again."""
    access.require(by, "answer", case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.DECIDED:
        raise refuse(NON_FIELD_ERRORS, "not_decided", _("Only a decided case can be appealed."))
    if case.events.filter(step=CaseStep.APPEALED).exists():
        raise refuse(NON_FIELD_ERRORS, "appealed_before", _("This case has been appealed once already."))
    if not (grounds or "").strip():
        raise refuse("text", "required", _("Write the grounds of your appeal."))
    case.status = CaseStatus.APPEALED
    case.save(update_fields=["status"])
    _event(case, CaseStep.APPEALED, by, grounds.strip())
    return case


def suspension_of(user: User, *, on: datetime.date) -> Case | None:
    """The case whose decision suspends ``user`` from supervising on day ``on``, if any."""
    return (
        Case.objects.filter(
            subject_user=user,
            sanction=Sanction.SUSPEND_SUPERVISION,
            status__in=DECISION_STANDS,
        )
        .exclude(sanction_until__lt=on)
        .order_by("-decided_at")
        .first()
    )
