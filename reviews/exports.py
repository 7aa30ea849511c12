"""CSV exports of internal supervision (reads only):

* a round's reviews with their reviewers (the office: it must be able to act on a complaint);
* a site's review history as aggregates (groups of 3 or more responses, no names, shared comments only), the
  same as its page shows (``reviews.selectors.site_results``).

Cells pass through ``core.spreadsheets.neutralise`` (no formula runs when the file is opened).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from core.spreadsheets import neutralise
from partners.models import Site
from reviews import dashboard, selectors
from reviews.models import ReviewRound


def _csv(rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([neutralise(str(cell)) for cell in row])
    return buffer.getvalue()


def round_csv(round_: ReviewRound) -> str:
    """Every review of the round: direction, subject, reviewer, status, scores by criterion code, comment."""
    reviews = dashboard.round_reviews(round_).prefetch_related("answers__criterion")
    header: list[object] = [
        _("Direction"),
        _("About"),
        _("Reviewer"),
        _("Status"),
        _("Scores"),
        _("Comments"),
        _("May be shared"),
    ]
    rows: list[list[object]] = [header]
    for review in reviews:
        scores = "; ".join(f"{a.criterion.code}={a.score}" for a in review.answers.all())
        reviewer = review.reviewer.display_name if review.reviewer else _("the office")
        rows.append(
            [
                review.get_direction_display(),
                review.subject_label,
                reviewer,
                review.get_status_display(),
                scores,
                review.comment,
                _("yes") if review.may_share else _("no"),
            ]
        )
    return _csv(rows)


def site_csv(site: Site) -> str:
    """A site's released groups: periods, responses, average, each criterion's average, shared comments."""
    results = selectors.site_results(site=site)
    rows: list[list[object]] = [[_("Periods"), _("Responses"), _("Average"), _("Criterion"), _("Comments")]]
    for group in results.groups:
        criteria = "; ".join(f"{c.label}: {c.average}" for c in group.criteria)
        rows.append([group.period_label, group.count, group.average, criteria, " | ".join(group.comments)])
    return _csv(rows)
