"""Extension points reviews offers the apps above it (``core.hooks`` style: a higher app registers from its
``AppConfig.ready()``; ``grep -r "CONCERN_OUTCOMES.register"`` lists every plug).

``CONCERN_OUTCOMES``: what happens when the office closes a concern by referring it to an inspection
(``"referred"``) or by opening a violation (``"violation"``). Reviews stands below supervision and
integrity, so it cannot plan an inspection or open a case itself: the office records the outcome on the
concern with a reference (what it planned or opened, e.g. "Inspection #12"), and an app above that registers
a handler for the outcome is called inside the same transaction with the concern, the office user and the
outcome's own fields (``details``); it may return a reference (e.g. the violation case's number) that is
stored on the concern. A "violation" outcome is refused while no handler for it is registered, so nothing
claims a case was opened that was not. Integrity registers "violation" (ADR 0030) and supervision "referred"
(a point for an inspection's inspectors, ADR 0037); without supervision's handler "referred" keeps only the
reference.

An outcome that needs fields reviews knows nothing of (a violation's kind, subject, evidence) names its own
page (``page``): the concern page links to it for those the handler allows, and the generic "close the
concern" form does not offer that outcome. ``link`` lets the concern show what the outcome opened (the case),
as the reader may see it, without reviews importing the app above.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.hooks import Hook


@dataclass(frozen=True)
class ConcernOutcome:
    """A handler for one way of closing a concern.

    ``handle(concern=..., note=..., by=..., details=...)`` acts (inside ``concern_decide``'s transaction)
    and returns a reference to store on the concern ("" for none); a ``ValidationError`` it raises refuses
    the whole decision. ``key`` is the outcome: "referred" or "violation". Optional: ``label`` and
    ``page(concern) -> url``, the page where the office takes the outcome with its fields; ``allowed(user)``,
    who may take it there (beside the office's "decide" on the concern); ``link(concern, user) -> (label,
    url) | None``, what the outcome opened, if the reader may see it (one query at most).
    """

    key: str
    handle: Callable[..., str]
    order: int = 100
    label: Any = ""
    page: Callable[[Any], str] | None = None
    allowed: Callable[[Any], bool] | None = None
    link: Callable[[Any, Any], tuple[str, str] | None] | None = None


CONCERN_OUTCOMES: Hook[ConcernOutcome] = Hook("CONCERN_OUTCOMES")


def outcome_handler(key: str) -> ConcernOutcome | None:
    """The handler registered for an outcome, if any."""
    return next((h for h in CONCERN_OUTCOMES if h.key == key), None)


__all__ = ["CONCERN_OUTCOMES", "ConcernOutcome", "outcome_handler"]
