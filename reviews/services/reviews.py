"""Submitting a review: its scores, comments and, optionally, a concern raised with it.

A submitted review is evidence: it is never edited (a second submission is refused). Nobody is told who
wrote a student's review: the person reviewed hears nothing from a submission, and a concern raised with it
names no student to those concerned (``reviews.services.concerns``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from partners import access
from reviews.models import Review, ReviewAnswer, ReviewStatus, RoundStatus


def review_submit(
    *,
    review: Review,
    scores: Mapping[str, int],
    by: User,
    comment: str = "",
    may_share: bool = False,
    concern_category: str = "",
    concern_text: str = "",
) -> Review:
    """Submit a review: a score from 1 to 5 for every criterion of its form (by criterion code), free text,
    whether the free text may be shared with the person reviewed (without a name), and optionally a concern.

    Refused: ``already_submitted``, ``round_closed``, ``scores_incomplete``, ``score_out_of_range``,
    ``concern_incomplete``."""
    from reviews.services.concerns import concern_raise

    access.require(by, "submit", review)
    with transaction.atomic():
        locked = Review.objects.select_for_update(of=("self",)).select_related("round").get(pk=review.pk)
        if locked.status != ReviewStatus.PENDING:
            raise refuse("status", "already_submitted", _("This review has been submitted; it cannot be changed."))
        if locked.round.status != RoundStatus.OPEN:
            raise refuse("status", "round_closed", _("This round has closed; the review can no longer be submitted."))
        criteria = list(locked.form.criteria.all())
        missing = [c.label for c in criteria if c.code not in scores]
        if missing:
            raise refuse(
                "scores",
                "scores_incomplete",
                _("Give a score for every criterion: %(missing)s.") % {"missing": ", ".join(missing)},
            )
        for criterion in criteria:
            score = scores[criterion.code]
            if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
                raise refuse("scores", "score_out_of_range", _("Scores go from 1 to 5."))
        if bool(concern_category) != bool(concern_text.strip()):
            raise refuse(
                "concern_text", "concern_incomplete", _("A concern needs both a category and what it is about.")
            )
        ReviewAnswer.objects.bulk_create(
            ReviewAnswer(review=locked, criterion=c, score=scores[c.code]) for c in criteria
        )
        locked.status = ReviewStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.comment = comment.strip()
        locked.may_share = bool(may_share)
        if locked.reviewer_id is None:  # the office's yearly review: whoever in the office writes it
            locked.reviewer = by
        locked.save(update_fields=["status", "submitted_at", "comment", "may_share", "reviewer"])
        if concern_category:
            concern_raise(review=locked, category=concern_category, text=concern_text, by=by)
    return locked
