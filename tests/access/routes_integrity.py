"""URL arguments and request bodies for the integrity routes of the matrix (docs/permissions.md, "Academic
integrity"). Everything is made through the services; checks run for real (PDF included) where a route needs
a finished report."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from integrity import samples
from integrity.models import Case, CheckStatus, OriginalityReport, ThresholdPolicy
from integrity.services import cases, checks
from tests.access.routes_reviews import concern_a
from tests.conftest import World
from tests.factories.integrity import docx_upload, reference, submit, to_hearing


def _u(world: World, name: str) -> Any:
    return world.users[name]


def _submission(world: World) -> dict[str, Any]:
    return {"pk": submit(world.student_a, samples.thesis(1)).pk}


def _checked(world: World) -> dict[str, Any]:
    submission = submit(world.student_a, samples.thesis(2))
    return {"pk": checks.report_check(submission.report.pk).pk}


def _in_review(world: World) -> dict[str, Any]:
    ThresholdPolicy.objects.create(programme=world.programme, review_from=Decimal("5"), refer_above=Decimal("90"))
    source = reference(_u(world, "office"), 3, chars=2500)
    submission = submit(world.student_a, samples.thesis(4, chars=1500) + "\n\n" + source[:900])
    report = checks.report_check(submission.report.pk)
    assert report.outcome == "review", report.similarity
    return {"pk": report.pk}


def _failed(world: World) -> dict[str, Any]:
    submission = submit(world.student_a, samples.thesis(5))
    OriginalityReport.objects.filter(pk=submission.report.pk).update(status=CheckStatus.FAILED, error="matrix")
    return {"pk": submission.report.pk}


def _case(world: World) -> Case:
    return cases.case_open(
        subject_kind="person",
        kind="authority",
        source="person",
        evidence="Matrix evidence.",
        person=_u(world, "supervisor_a"),
        by=_u(world, "office"),
    )


def _case_opened(world: World) -> dict[str, Any]:
    case = _case(world)
    cases.case_assign(case=case, investigators=[_u(world, "inspector")], by=_u(world, "office"))
    return {"pk": case.pk}


def _case_hearing(world: World) -> dict[str, Any]:
    return {"pk": to_hearing(_case(world), _u(world, "office"), _u(world, "inspector")).pk}


def _case_answered(world: World) -> dict[str, Any]:
    case = to_hearing(_case(world), _u(world, "office"), _u(world, "inspector"))
    cases.case_statement(case=case, text="My answer.", by=_u(world, "supervisor_a"))
    return {"pk": case.pk}


ARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "integrity:submission": _submission,
    "integrity:submission-file": _submission,
    "integrity:report": lambda w: {"pk": submit(w.student_a, samples.thesis(6)).report.pk},
    "integrity:report-pdf": _checked,
    "integrity:report-decide": _in_review,
    "integrity:report-retry": _failed,
    "integrity:case": _case_hearing,
    "integrity:case-step": _case_opened,
    "integrity:case-decide": _case_answered,
    "integrity:case-answer": _case_hearing,
    "integrity:case-from-concern": lambda w: {"pk": concern_a(w).pk},
    "api:submission-detail": _submission,
    "api:originality-report-detail": lambda w: {"pk": submit(w.student_a, samples.thesis(7)).report.pk},
    "api:originality-report-pdf": _checked,
    "api:case-detail": _case_hearing,
}

BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "integrity:submission-create": lambda w: {
        "kind": "paper",
        "title": "Matrix",
        "file": docx_upload(samples.thesis(8)),
    },
    "integrity:report-decide": lambda w: {"outcome": "cleared", "reason": "Method text only."},
    "integrity:references": lambda w: {"title": "Old thesis", "file": docx_upload(samples.thesis(9))},
    "integrity:case-open": lambda w: {
        "subject_kind": "student",
        "student": w.student_a.pk,
        "kind": "fabrication",
        "source": "person",
        "evidence": "Data invented.",
    },
    "integrity:case-step": lambda w: {"step": "investigating"},
    "integrity:case-decide": lambda w: {"decision": "warning", "reasons": "Holds."},
    "integrity:case-answer": lambda w: {"text": "My statement."},
    "integrity:case-from-concern": lambda w: {
        "subject": "person",
        "kind": "breach",
        "evidence": "No lead aprons.",
        "note": "Unsafe practice.",
    },
    "api:submission-list": lambda w: {"kind": "paper", "title": "API", "file": docx_upload(samples.thesis(10))},
}
