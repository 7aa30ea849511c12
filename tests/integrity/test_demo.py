"""The integrity demo: the corpus, the passed and the referred proposals, the case at its hearing, the decided
case the enterprise's scorecard counts."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from integrity.models import Case, CaseStatus, CorpusKind, CorpusText, Outcome, Submission

pytestmark = pytest.mark.django_db


def test_demo_shows_each_part_of_integrity() -> None:
    call_command("seed_demo", stdout=StringIO())
    assert CorpusText.objects.filter(kind=CorpusKind.REFERENCE).count() >= 30
    passed = Submission.objects.get(student__user__username="student", kind="proposal")
    referred = Submission.objects.get(student__user__username="student2", kind="proposal")
    assert passed.report.outcome == Outcome.PASSED
    assert referred.report.outcome == Outcome.REFERRED
    case = Case.objects.get(source_report=referred.report)
    assert case.status == CaseStatus.HEARING
    decided = Case.objects.get(subject_user__username="sup-enterprise")
    assert decided.status == CaseStatus.DECIDED
    from supervision.services import scorecard

    card = scorecard.scorecard_of(
        user=User.objects.get(username="office"),
        partner=decided.subject_partner,  # type: ignore[arg-type]
    )
    block = next(b for b in card.sections if b.key == "integrity_cases")
    assert sum(item["count"] for item in block.context["items"]) == 1
