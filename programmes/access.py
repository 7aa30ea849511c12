"""Who may see and do what with programmes and agreements (registered with ``partners.access``).

Higher apps add to these: a student reading their own programme is the students app's rule (it widens
``Programme`` "view" with ``partners.access.extend``, since programmes never imports students), and the
practice app registers its own actions on a programme (``reopen_month``, ``set_practice_rules``).
"""

from __future__ import annotations

from django.db.models import Q

from accounts.roles import AnyUser
from partners import access
from partners.access import ALL, ANY_ROLE, Rule, any_of, granted_partners, is_office, is_tutor, member_partners
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


def _programme_view(user: AnyUser, path: str) -> Rule:
    """Programmes: office and tutors read all; partners' people those their partner takes part in or leads;
    an inspector with an unexpired grant on a partner those it takes part in. (Students their own: see
    ``students.access``.)"""
    if is_office(user) or is_tutor(user):
        return ALL
    partners = member_partners(user, ANY_ROLE)
    taking_part = Participation.objects.filter(partner_id__in=partners).values("programme_id")
    inspected = Participation.objects.filter(partner_id__in=granted_partners(user, "view_partner")).values(
        "programme_id"
    )
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
