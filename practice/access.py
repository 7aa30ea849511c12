"""Who may see and do what with practice hours (registered with ``partners.access``).

Besides its entries, the practice app adds its own actions to lower models: logging hours at a
``Placement`` ("log"), and the office's month reopening and practice rules on a ``Programme``.
"""

from __future__ import annotations

from django.db.models import Q

from accounts.roles import AnyUser
from partners import access
from partners.access import ALL, MANAGERS, Rule, granted_partners, is_office, member_partners, office_only, user_pk
from practice.models import PracticeLog
from programmes.models import Programme
from students.models import Placement


def _hours_readers(user: AnyUser, placement: str) -> Rule:
    """Who reads the hours logged at a placement (``placement`` is the lookup prefix to it): office; the
    student; their tutor; the placement's supervisor; the coordinator of the partner the placement is at;
    an inspector with an unexpired grant on that partner. Not a co-supervisor as such: they see every
    placement of the student, but hours only where they supervise."""
    if is_office(user):
        return ALL
    uid = user_pk(user)
    return Rule(
        q=Q(student__user_id=uid)
        | Q(student__tutor_id=uid)
        | Q(**{f"{placement}supervisor_id": uid})
        | Q(**{f"{placement}partner_id__in": member_partners(user, MANAGERS)})
        | Q(**{f"{placement}partner_id__in": granted_partners(user, "view_partner")})
    )


def _practice_log_view(user: AnyUser, path: str) -> Rule:
    """Entries: the readers of their placement's hours."""
    return _hours_readers(user, "placement__")


def _placement_view_hours(user: AnyUser, path: str) -> Rule:
    """A placement's hours and progress figures: the same readers as its entries, whether or not any exist
    yet (so that "not shown to you" never tells that entries exist)."""
    return _hours_readers(user, "")


def _deciders(user: AnyUser, placement: str) -> Rule:
    """Who decides the entries logged at a placement (``placement`` is the lookup prefix to it): only its
    supervisor."""
    return Rule(q=Q(**{f"{placement}supervisor_id": user_pk(user)}))


def _practice_log_decide(user: AnyUser, path: str) -> Rule:
    """Approving or rejecting: only the supervisor of the entry's placement (own entries are refused by
    the service)."""
    return _deciders(user, "placement__")


def _placement_decide_entries(user: AnyUser, path: str) -> Rule:
    """The placements whose entries the user decides (the sign-off queue's students are theirs): the same
    deciders as the entries', whether or not any entry exists."""
    return _deciders(user, "")


def _practice_log_withdraw(user: AnyUser, path: str) -> Rule:
    """Withdrawing: only the student who entered it (pending only, checked by the service)."""
    uid = user_pk(user)
    return Rule(q=Q(student__user_id=uid, entered_by_id=uid))


def _placement_log(user: AnyUser, path: str) -> Rule:
    """Logging hours at a placement: the student placed there, or the placement's supervisor."""
    uid = user_pk(user)
    return Rule(q=Q(student__user_id=uid) | Q(supervisor_id=uid))


access.register(
    PracticeLog, {"view": _practice_log_view, "decide": _practice_log_decide, "withdraw": _practice_log_withdraw}
)
access.register(
    Placement,
    {"log": _placement_log, "view_hours": _placement_view_hours, "decide_entries": _placement_decide_entries},
)
access.register(Programme, {"reopen_month": office_only, "set_practice_rules": office_only})
