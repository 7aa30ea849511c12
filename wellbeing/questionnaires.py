"""The standard questionnaires a check-in may include, and their published scoring.

PHQ-9 (Kroenke, Spitzer & Williams, 2001) and GAD-7 (Spitzer et al., 2006): each item is answered 0 ("not at
all") to 3 ("nearly every day") for the last two weeks; the total falls in the published severity bands.
PHQ-9 item 9 (thoughts of being better off dead or of self-harm) above 0 is a crisis answer, whatever the
total: the person is shown help at once and the counsellor on duty is told.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ANSWER_CHOICES = [
    (0, _("Not at all")),
    (1, _("Several days")),
    (2, _("More than half the days")),
    (3, _("Nearly every day")),
]

PHQ9_ITEMS = (
    _("Little interest or pleasure in doing things"),
    _("Feeling down, depressed, or hopeless"),
    _("Trouble falling or staying asleep, or sleeping too much"),
    _("Feeling tired or having little energy"),
    _("Poor appetite or overeating"),
    _("Feeling bad about yourself, or that you are a failure or have let yourself or your family down"),
    _("Trouble concentrating on things, such as reading or watching television"),
    _(
        "Moving or speaking so slowly that other people could have noticed, or being so fidgety or restless "
        "that you have been moving around a lot more than usual"
    ),
    _("Thoughts that you would be better off dead, or of hurting yourself in some way"),
)

GAD7_ITEMS = (
    _("Feeling nervous, anxious, or on edge"),
    _("Not being able to stop or control worrying"),
    _("Worrying too much about different things"),
    _("Trouble relaxing"),
    _("Being so restless that it is hard to sit still"),
    _("Becoming easily annoyed or irritable"),
    _("Feeling afraid, as if something awful might happen"),
)

#: (lowest total of the band, its name), highest band last.
PHQ9_BANDS = (
    (0, pgettext_lazy("severity", "minimal")),
    (5, pgettext_lazy("severity", "mild")),
    (10, pgettext_lazy("severity", "moderate")),
    (15, pgettext_lazy("severity", "moderately severe")),
    (20, pgettext_lazy("severity", "severe")),
)
GAD7_BANDS = (
    (0, pgettext_lazy("severity", "minimal")),
    (5, pgettext_lazy("severity", "mild")),
    (10, pgettext_lazy("severity", "moderate")),
    (15, pgettext_lazy("severity", "severe")),
)

MOOD_CHOICES = [
    (1, _("Very low")),
    (2, _("Low")),
    (3, _("So-so")),
    (4, _("Good")),
    (5, _("Very good")),
]
STRESS_CHOICES = [
    (1, _("Calm")),
    (2, _("A little")),
    (3, _("Some")),
    (4, _("A lot")),
    (5, _("Overwhelming")),
]


@dataclass(frozen=True)
class Score:
    total: int
    band: str


def _band(total: int, bands: Sequence[tuple[int, object]]) -> str:
    name = bands[0][1]
    for lowest, label in bands:
        if total >= lowest:
            name = label
    return str(name)


def _check(answers: Sequence[int], count: int, name: str) -> None:
    if len(answers) != count or any(not isinstance(a, int) or a < 0 or a > 3 for a in answers):
        raise ValueError(f"{name} needs {count} answers from 0 to 3")


def phq9_score(answers: Sequence[int]) -> Score:
    """PHQ-9 total (0 to 27) and band: minimal 0-4, mild 5-9, moderate 10-14, moderately severe 15-19,
    severe 20-27."""
    _check(answers, 9, "PHQ-9")
    total = sum(answers)
    return Score(total, _band(total, PHQ9_BANDS))


def gad7_score(answers: Sequence[int]) -> Score:
    """GAD-7 total (0 to 21) and band: minimal 0-4, mild 5-9, moderate 10-14, severe 15-21."""
    _check(answers, 7, "GAD-7")
    total = sum(answers)
    return Score(total, _band(total, GAD7_BANDS))


def phq9_band(total: int | None) -> str:
    return "" if total is None else _band(total, PHQ9_BANDS)


def gad7_band(total: int | None) -> str:
    return "" if total is None else _band(total, GAD7_BANDS)


def is_crisis_answer(phq9: Sequence[int] | None) -> bool:
    """PHQ-9 item 9 above zero."""
    return bool(phq9) and phq9 is not None and len(phq9) == 9 and phq9[8] > 0
