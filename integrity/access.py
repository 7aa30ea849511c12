"""Who may see and do what with submissions, originality checks and the violations register: the rules, registered
with the engine (``partners.access``). A model without registered rules is refused, never open.

- Submissions and originality reports (``access_student_path``): the office, the student, the student's tutor;
  a report also the investigators of a case opened from it. Only the office reads the sources' authors
  (``OriginalityReport`` "view_sources", used by the pages and the API when they name them).
- The reference corpus: the office.
- Cases (``access_partner_path`` = the subject's partner): the office and the case's investigators see
  everything; the subject sees their own case and answers; a coordinator of the subject's partner sees that
  a case about their staff exists and its outcome ("view"), never its evidence ("view_evidence").

Besides its own models, integrity adds "submit_work" to ``Student``: the student submits their own.
"""

from __future__ import annotations

from django.db.models import Q

from accounts.roles import AnyUser
from integrity.models import (
    Case,
    CaseEvent,
    CaseInvestigator,
    CorpusText,
    OriginalityReport,
    ReportDecision,
    Submission,
)
from partners import access
from partners.access import ALL, MANAGERS, Rule, any_of, is_office, member_partners, office_only, user_pk
from students.models import Student


def _lookup(path: str, field: str) -> str:
    return f"{path}__{field}" if path else field


def _own_student(user: AnyUser, path: str) -> Rule:
    """The student themself."""
    return Rule(q=Q(**{_lookup(path, "user_id"): user_pk(user)}))


def _student_work(user: AnyUser, path: str) -> Rule:
    """A student's submissions: the office, the student, their tutor."""
    if is_office(user):
        return ALL
    uid = user_pk(user)
    return Rule(q=Q(**{_lookup(path, "user_id"): uid}) | Q(**{_lookup(path, "tutor_id"): uid}))


def _report_prefix(path: str) -> str:
    return path.removesuffix("submission__student")


def _report_view(user: AnyUser, path: str) -> Rule:
    """A report: the office, the student, the tutor, and the investigators of a case opened from it."""
    if is_office(user):
        return ALL
    investigated = CaseInvestigator.objects.filter(user_id=user_pk(user), case__source_report__isnull=False)
    prefix = _report_prefix(path)
    return any_of(
        _student_work(user, path),
        Rule(q=Q(**{f"{prefix}pk__in": investigated.values("case__source_report_id")})),
    )


def _tutor_or_office(user: AnyUser, path: str) -> Rule:
    """The office, or the student's tutor (a report's written decision; the service checks the outcome)."""
    if is_office(user):
        return ALL
    return Rule(q=Q(**{_lookup(path, "tutor_id"): user_pk(user)}))


def _case_prefix(path: str) -> str:
    if not path.endswith("subject_partner"):
        raise ValueError("case rules need a path ending in subject_partner")
    return path.removesuffix("subject_partner")


def _investigators(user: AnyUser, path: str) -> Rule:
    prefix = _case_prefix(path)
    cases = CaseInvestigator.objects.filter(user_id=user_pk(user)).values("case_id")
    return Rule(q=Q(**{f"{prefix}pk__in": cases}) if prefix else Q(pk__in=cases))


def _subject(user: AnyUser, path: str) -> Rule:
    prefix = _case_prefix(path)
    uid = user_pk(user)
    return Rule(q=Q(**{f"{prefix}subject_user_id": uid}) | Q(**{f"{prefix}subject_student__user_id": uid}))


def _case_evidence(user: AnyUser, path: str) -> Rule:
    """A case in full (evidence, steps, statements): the office, its investigators, its subject."""
    if is_office(user):
        return ALL
    return any_of(_investigators(user, path), _subject(user, path))


def _case_view(user: AnyUser, path: str) -> Rule:
    """That a case exists and its outcome: also the coordinators of the subject's partner."""
    if is_office(user):
        return ALL
    coordinators = Rule(q=Q(**{f"{path}__in": member_partners(user, MANAGERS)}))
    return any_of(_case_evidence(user, path), coordinators)


def _case_advance(user: AnyUser, path: str) -> Rule:
    """Moving a case on (investigating, hearing, closing): the office and the case's investigators."""
    return ALL if is_office(user) else _investigators(user, path)


def _case_answer(user: AnyUser, path: str) -> Rule:
    """The subject's statement and appeal."""
    return _subject(user, path)


access.register(Submission, {"view": _student_work})
access.register(
    OriginalityReport,
    {
        "view": _report_view,
        "decide": _tutor_or_office,
        "view_sources": office_only,
        "open_case": office_only,
        "retry": office_only,
    },
)
access.register(ReportDecision, {"view": _student_work})
access.register(CorpusText, {"view": office_only, "create": office_only})
access.register(
    Case,
    {
        "view": _case_view,
        "view_evidence": _case_evidence,
        "open": office_only,
        "advance": _case_advance,
        "decide": office_only,
        "answer": _case_answer,
    },
)
access.register(CaseInvestigator, {"view": _case_evidence})
access.register(CaseEvent, {"view": _case_evidence})
access.register(Student, {"submit_work": _own_student})
