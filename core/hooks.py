"""Extension points: where a lower app lets the apps above it plug in without importing them.

The apps stand in floors (docs/architecture.md): ``students`` cannot import ``curriculum``, yet the plan
page must show credits earned; ``supervision`` cannot import ``funds``, yet open fund flags weigh in the
spot draw. So the lower app reads a hook declared here, and the higher app registers into it from its
``AppConfig.ready()``. Every hook is a small, typed, ordered registry keyed by a name: registering the
same key twice replaces the entry (``ready()`` may run more than once in tests), and nothing is
discovered by magic: ``grep -r "hooks\\.<NAME>.register"`` lists every plug.

Domain objects are typed ``Any`` here because ``core`` stands below every app; each hook's docstring says
what the object is.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def order(self) -> int: ...


T = TypeVar("T", bound=_Keyed)


class Hook(Generic[T]):
    """An ordered registry of entries with a unique ``key`` (lower ``order`` first, then key)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, T] = {}

    def register(self, entry: T) -> T:
        """Add (or replace, by key) an entry; returns it, so it can be used as a decorator-like call."""
        self._entries[entry.key] = entry
        return entry

    def unregister(self, key: str) -> None:
        """Remove an entry (tests that plug a temporary entry take it out again)."""
        self._entries.pop(key, None)

    def __iter__(self) -> Iterator[T]:
        return iter(sorted(self._entries.values(), key=lambda e: (e.order, e.key)))

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> set[str]:
        return set(self._entries)


# --- students: the plan page and its PDF ------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSection:
    """A block on a student's plan page (and PDF), e.g. credits earned or project points.

    ``build(user=..., student=..., today=...)`` returns the template context for the block (a mapping),
    or ``None`` to show nothing; it must cost a fixed number of queries. ``template`` renders it on the
    page, ``pdf_template`` in the plan PDF (``None``: page only). ``replaces`` names a built-in block the
    section takes over: ``"credits"`` or ``"project_points"`` (the plan shows "not yet recorded" there
    until an app records them).
    """

    key: str
    build: Callable[..., Mapping[str, Any] | None]
    template: str
    pdf_template: str | None = None
    replaces: str = ""
    order: int = 100


PLAN_SECTIONS: Hook[PlanSection] = Hook("PLAN_SECTIONS")


@dataclass(frozen=True)
class RiskReason:
    """A reason a student in training is "at risk" on the students and at-risk lists.

    ``condition(today)`` returns a boolean SQL expression over ``students.Student`` (typically an
    ``Exists(...)`` whose subquery uses ``OuterRef("pk")``): it becomes the annotation ``risk_<key>`` and
    joins the ``at_risk`` OR, so the lists stay one query however many reasons there are. ``label`` is
    what the "Why at risk" column says.

    ``whole(today)``, when given, is the same condition written for a statement that weighs every student
    in scope (the at-risk keys, the ``at_risk`` filter): typically ``pk__in`` an uncorrelated set the
    database builds once per statement, where ``condition`` asks a subquery per student. A page of 25 rows
    keeps ``condition``: building the whole set for 25 students costs more than asking 25 times (issue #19).
    Both must pick the same students (test them against the reason's definition).
    """

    key: str
    label: Any
    condition: Callable[[datetime.date], Any]
    order: int = 100
    whole: Callable[[datetime.date], Any] | None = None

    def over_all(self, today: datetime.date) -> Any:
        """The condition for a statement that weighs every student (``whole``, else ``condition``)."""
        return (self.whole or self.condition)(today)


AT_RISK_REASONS: Hook[RiskReason] = Hook("AT_RISK_REASONS")


@dataclass(frozen=True)
class PlacementCheck:
    """A rule a new or changed placement must pass, beside the students app's own.

    ``check(student=..., partner=..., site=..., supervisor=..., start_date=..., end_date=...,
    exclude_pk=...)`` returns errors by form field (``{"supervisor": ["..."]}``); empty when it passes.
    """

    key: str
    check: Callable[..., dict[str, list[str]]]
    order: int = 100


PLACEMENT_CHECKS: Hook[PlacementCheck] = Hook("PLACEMENT_CHECKS")


@dataclass(frozen=True)
class MilestoneCheck:
    """A rule a milestone must pass before it is marked done (``students.services.milestone_complete``),
    e.g. the originality check of its submission. ``check(milestone=...)`` returns why the milestone is
    held back (a sentence for the person marking it), or ``""`` when it may be marked done."""

    key: str
    check: Callable[..., str]
    order: int = 100


MILESTONE_CHECKS: Hook[MilestoneCheck] = Hook("MILESTONE_CHECKS")


# --- supervision: the spot draw and the partner scorecard -------------------------------------------------


@dataclass(frozen=True)
class DrawFactor:
    """A risk factor of the spot-inspection draw (``supervision.services.draw``).

    ``compute(candidates, today)`` returns, by partner id, the factor's JSON-ready values (merged into the
    candidate's stored ``factors``). ``candidates`` is a queryset of partner ids (one column, ``pk``)
    holding at least the draw's candidates: use it as a subquery (``partner_id__in=candidates``) and do
    not read it into Python; rows of partners that are not candidates are ignored. At 100,000
    candidates a list of ids made a 0.7 MB IN-list in every factor's query (issue #19), so the SQL must
    not grow with the candidates, and the cost is a fixed number of queries. Leave out partners without
    values: each such candidate takes ``absent`` (e.g. a zero count), so the query reads only the partners
    that have something. ``weight(factors)`` turns a candidate's stored factors into the term this
    factor adds to the weight (0 when absent; keep it capped, like the built-in terms; a pure function of
    the factors). ``label`` is the draw page's name for the term.
    """

    key: str
    label: Any
    compute: Callable[[Any, datetime.date], Mapping[int, Mapping[str, Any]]]
    weight: Callable[[Mapping[str, Any]], Decimal]
    order: int = 100
    absent: Mapping[str, Any] = field(default_factory=dict)


DRAW_FACTORS: Hook[DrawFactor] = Hook("DRAW_FACTORS")


@dataclass(frozen=True)
class ScorecardSection:
    """A block on each partner's scorecard (``supervision.services.scorecard``), e.g. review results.

    ``build(partner_ids=..., user=..., today=...)`` returns, by partner id, the block's context (a
    mapping), as the reader may know it (scope by ``user``), in a fixed number of queries. A context
    with a non-empty ``"probation_reason"`` proposes probation to the office like the inspection
    findings do.
    """

    key: str
    build: Callable[..., Mapping[int, Mapping[str, Any]]]
    template: str
    order: int = 100


SCORECARD_SECTIONS: Hook[ScorecardSection] = Hook("SCORECARD_SECTIONS")


# --- core: navigation and the start page ------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation, shown when ``visible(user)`` (keep it to one query at most)."""

    key: str
    label: Any
    url_name: str
    visible: Callable[[Any], bool]
    order: int = 100


NAV_ITEMS: Hook[NavItem] = Hook("NAV_ITEMS")


@dataclass(frozen=True)
class StartPanel:
    """A card on the signed-in person's start page: ``build(user)`` returns its context or ``None``
    (nothing to show for this person); ``template`` renders it. A fixed number of queries."""

    key: str
    build: Callable[[Any], Mapping[str, Any] | None]
    template: str
    order: int = 100


START_PANELS: Hook[StartPanel] = Hook("START_PANELS")


@dataclass(frozen=True)
class InboxItem:
    """One line of the start page's "Waiting for you": what waits, how many, where to act. ``late``
    marks what is overdue (shown first, in red). ``nav_url`` names the navigation link whose badge adds
    this count when it is not the line's own page (``url`` without its query): "Sign-off" for the queue,
    "Students" for the plans waiting; a line whose page is in no link (the at-risk figure) adds to none."""

    label: Any
    count: int
    url: str
    late: bool = False
    nav_url: str = ""


@dataclass(frozen=True)
class InboxSource:
    """What an app puts in a person's inbox on the start page: ``build(user)`` returns the lines (only
    those with a count above zero are shown), in a fixed number of queries."""

    key: str
    build: Callable[[Any], list[InboxItem]]
    order: int = 100


INBOX: Hook[InboxSource] = Hook("INBOX")


@dataclass
class RenderedBlock:
    """A hook entry's template with the context it built (what pages loop over)."""

    key: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    pdf_template: str | None = None
