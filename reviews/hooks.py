"""Extension points reviews offers the apps above it (``core.hooks`` style: a higher app registers from its
``AppConfig.ready()``; ``grep -r "CONCERN_OUTCOMES.register"`` lists every plug).

``CONCERN_OUTCOMES``: what happens when the office closes a concern by referring it to an inspection
(``"referred"``) or by opening a violation (``"violation"``). Reviews stands below supervision and
integrity, so it cannot plan an inspection or open a case itself: the office records the outcome on the
concern with a reference (what it planned or opened, e.g. "Inspection #12"), and an app above that registers
a handler for the outcome is called inside the same transaction with the concern and the office user; it may
return a reference (e.g. the violation case's number) that is stored on the concern. A "violation" outcome
is refused while no handler for it is registered (the violations register does not exist yet), so nothing
claims a case was opened that was not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.hooks import Hook


@dataclass(frozen=True)
class ConcernOutcome:
    """A handler for one way of closing a concern: ``handle(concern=..., note=..., by=...)`` returns a
    reference to store on the concern ("" for none). ``key`` is the outcome: "referred" or "violation"."""

    key: str
    handle: Callable[..., str]
    order: int = 100


CONCERN_OUTCOMES: Hook[ConcernOutcome] = Hook("CONCERN_OUTCOMES")

__all__ = ["CONCERN_OUTCOMES", "ConcernOutcome"]
