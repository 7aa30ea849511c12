"""Who may see and do what with programmes and agreements (registered with ``partners.access``).

Higher apps add to these: a student reading their own programme is the students app's rule (it widens
``Programme`` "view" with ``partners.access.extend``, since programmes never imports students), and the
practice app registers its own actions on a programme (``reopen_month``, ``set_practice_rules``).
"""

from __future__ import annotations

import datetime

from django.db.models import BigIntegerField, Q
from django.utils import timezone

from accounts.roles import AnyUser
from core.compiled import Compiled
from partners import access
from partners.access import (
    ALL,
    ANY_ROLE,
    Rule,
    any_of,
    granted_partners,
    granted_partners_of,
    is_office,
    is_tutor,
    member_partners,
    member_partners_of,
    user_pk,
)
from programmes.models import (
    ActivityCategory,
    Agreement,
    AgreementParty,
    Cohort,
    Objective,
    Participation,
    Programme,
    RequirementsVersion,
)

# The programmes a user's partners take part in, and those an inspector's granted partners take part in,
# compiled once per process (``core.compiled``; the user, today and now filled in at each use): the rule keeps
# its shape, so the engine compiles its UNION once for every user (``partners.access.compiled_rows``) rather
# than on every call (the student list's programme filter for a partner's people, issue #19).
_TAKING_PART = Compiled(
    lambda user, today, now: Participation.objects.filter(
        partner_id__in=member_partners_of(user, ANY_ROLE, today=today, now=now)
    ).values("programme_id"),
    user=int,
    today=datetime.date,
    now=datetime.datetime,
)
_INSPECTED = Compiled(
    lambda user, now: Participation.objects.filter(
        partner_id__in=granted_partners_of(user, "view_partner", now=now)
    ).values("programme_id"),
    user=int,
    now=datetime.datetime,
)
_PROGRAMME_ID = BigIntegerField()


def _programme_view(user: AnyUser, path: str) -> Rule:
    """Programmes: office and tutors read all; partners' people those their partner takes part in or leads;
    an inspector with an unexpired grant on a partner those it takes part in. (Students their own: see
    ``students.access``.)"""
    if is_office(user) or is_tutor(user):
        return ALL
    uid, today, now = user_pk(user), timezone.localdate(), timezone.now()
    partners = member_partners_of(uid, ANY_ROLE, today=today, now=now)
    taking_part = _TAKING_PART.subquery(_PROGRAMME_ID, user=uid, today=today, now=now)
    inspected = _INSPECTED.subquery(_PROGRAMME_ID, user=uid, now=now)
    return any_of(
        Rule(q=Q(pk__in=taking_part)),
        Rule(q=Q(lead_university_id__in=partners)),
        Rule(q=Q(pk__in=inspected)),
    )


def _agreement_view(user: AnyUser, path: str) -> Rule:
    """Agreements: office and tutors read all; a partner's people those their partner is party to; an
    inspector with an unexpired grant on a partner (an inspection in progress) those that partner is party to."""
    if is_office(user) or is_tutor(user):
        return ALL
    party_to = AgreementParty.objects.filter(partner_id__in=member_partners(user, ANY_ROLE)).values("agreement_id")
    granted = AgreementParty.objects.filter(partner_id__in=granted_partners(user, "view_partner")).values(
        "agreement_id"
    )
    return Rule(q=Q(pk__in=party_to) | Q(pk__in=granted))


def _programme_version_view(user: AnyUser, path: str) -> Rule:
    """Requirements versions: whoever sees their programme."""
    programmes = access.scope(Programme.objects.all(), user, "view").values("pk")
    return Rule(q=Q(programme_id__in=programmes))


access.register(
    Programme,
    {
        "view": _programme_view,
        "create": access.office_only,
        "change": access.office_only,
    },
)
access.register(Agreement, {"view": _agreement_view, "create": access.office_only, "change": access.office_only})
# A programme's parts are set up by the office (read through their programme; changed on their own pages).
for _model in (Objective, ActivityCategory, Cohort, Participation):
    access.register(_model, {"change": access.office_only})
access.register(RequirementsVersion, {"view": _programme_version_view})
