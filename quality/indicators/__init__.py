"""The report's sections, in order, each computed by its own module from the other apps' data.

``quality`` stands on the top floor: these modules read every app below (through their selectors and
models), and nothing imports them but this package. Each module offers ``section(frame) -> Section``; its
queries are aggregates in the database (``GROUP BY``, ``COUNT``, ``SUM``, ``FILTER``), never a loop over
students or entries in Python, so a programme of 500 students and a million entries builds in seconds.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.utils.translation import gettext_noop

from programmes.models import Programme
from quality.figures import Frame, Section, section_to_json

#: (module, title) in the report's order: the paper's four parts (objectives, process, curriculum,
#: quality assessment), then supervision, funds, integrity, projects and the wellbeing service.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("students", gettext_noop("Students")),
    ("objectives", gettext_noop("Objectives")),
    ("process", gettext_noop("Training process")),
    ("curriculum", gettext_noop("Curriculum")),
    ("internal", gettext_noop("Internal supervision")),
    ("external", gettext_noop("External supervision")),
    ("funds", gettext_noop("Funds")),
    ("integrity", gettext_noop("Academic integrity")),
    ("projects", gettext_noop("Projects")),
    ("wellbeing", gettext_noop("Wellbeing service")),
)


def section(key: str, frame: Frame) -> Section:
    """One section for ``frame``, computed by ``quality.indicators.<key>``."""
    module = import_module(f"quality.indicators.{key}")
    result: Section = module.section(frame)
    return result


def sections(frame: Frame, keys: tuple[str, ...] | None = None) -> list[Section]:
    """Every section (or those named) for ``frame``, in the report's order."""
    wanted = keys or tuple(k for k, _ in SECTIONS)
    return [section(key, frame) for key, _ in SECTIONS if key in wanted]


def has_previous_year(frame: Frame) -> bool:
    """Whether the year before ``frame`` is one the programme ran in (its first intake year or later)."""
    first = Programme.objects.filter(pk=frame.programme_id).values_list("first_intake_year", flat=True).first()
    return first is None or frame.year - 1 >= first


def figures_json(frame: Frame) -> dict[str, Any]:
    """What a report freezes: every section for the year, and each figure's value in the previous year
    (by figure key: ``{"value": ..., "people": ...}``, so the public version can suppress it too) where the
    programme ran then and the figure had a value."""
    current = sections(frame)
    previous: dict[str, Any] = {}
    if has_previous_year(frame):
        for earlier in sections(frame.previous()):
            previous.update(
                {f.key: {"value": f.value, "people": f.people} for f in earlier.figures if f.value is not None}
            )
    return {
        "frame": {
            "programme": frame.programme_id,
            "cohort": frame.cohort_id,
            "year": frame.year,
            "as_of": frame.today.isoformat(),
        },
        "sections": [section_to_json(s) for s in current],
        "previous": previous,
    }
