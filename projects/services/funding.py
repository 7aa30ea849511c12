"""A project's training funds: the allocation that pays for it and the expenditures that serve it.

Funds stands below projects (docs/architecture.md), so the ties live here: ``Project.fund_allocation`` and
``ProjectExpenditure``. An allocation fits a project when it is the lead partner's or the university's, and
only someone who manages the project and reads the allocation may name it. An expenditure serves a project
when it is paid from the project's allocation; the link is evidence, recorded once with who and when, and
never edited (docs/decisions/0038-projects-and-fund-allocations.md).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from funds.models import Allocation, Expenditure
from partners import access
from partners.models import Partner, PartnerKind
from projects.models import Project, ProjectExpenditure


def check_allocation(*, by: User, lead_partner: Partner, allocation: Allocation) -> None:
    """Refuse (on ``fund_allocation``) an allocation the user may not read or that is not the lead partner's
    or the university's."""
    if not access.can(by, "view", allocation):
        raise refuse("fund_allocation", "allocation_unseen", _("You cannot see this fund allocation."))
    if allocation.partner_id != lead_partner.pk and allocation.partner.kind != PartnerKind.UNIVERSITY:
        raise refuse(
            "fund_allocation",
            "allocation_other_partner",
            _("This allocation is another partner's: choose one of the lead partner's or the university's."),
        )


def project_allocation_set(*, project: Project, allocation: Allocation | None, by: User) -> Project:
    """Name (or clear) the allocation that pays for a project. Refused once expenditures of the current
    allocation are linked to the project: they would then serve it from another allocation."""
    access.require(by, "manage", project)
    if allocation is not None:
        check_allocation(by=by, lead_partner=project.lead_partner, allocation=allocation)
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        new_id = allocation.pk if allocation is not None else None
        if locked.fund_allocation_id != new_id and ProjectExpenditure.objects.filter(project=locked).exists():
            raise refuse(
                "fund_allocation",
                "allocation_has_spending",
                _("Expenditures of the current allocation serve this project: its allocation cannot change."),
            )
        locked.fund_allocation = allocation
        locked.save(update_fields=["fund_allocation"])
    return locked


def project_expenditure_link(*, project: Project, expenditure: Expenditure, by: User) -> ProjectExpenditure:
    """Record that an expenditure of the project's allocation serves the project (its managers who may
    record spending on that allocation). An expenditure serves one project; a reversal follows its entry."""
    access.require(by, "manage", project)
    allocation = project.fund_allocation
    if allocation is None:
        raise refuse("expenditure", "no_allocation", _("The project has no fund allocation."))
    if not access.can(by, "record", allocation):
        raise refuse("expenditure", "cannot_record", _("You do not record spending on this allocation."))
    if expenditure.allocation_id != allocation.pk:
        raise refuse(
            "expenditure", "other_allocation", _("This expenditure is paid from another allocation than the project's.")
        )
    if expenditure.reverses_id is not None:
        raise refuse("expenditure", "reversal", _("A reversal follows the entry it reverses: link that entry."))
    already = _("This expenditure already serves a project.")
    if ProjectExpenditure.objects.filter(expenditure=expenditure).exists():
        raise refuse("expenditure", "already_linked", already)
    try:
        with transaction.atomic():
            # the project's allocation as stored now (``project_allocation_set`` takes the same lock)
            locked = Project.objects.select_for_update().get(pk=project.pk)
            if locked.fund_allocation_id != allocation.pk:
                raise refuse("expenditure", "other_allocation", _("The project's allocation has just changed."))
            return ProjectExpenditure.objects.create(project=locked, expenditure=expenditure, linked_by=by)
    except IntegrityError as error:  # linked by someone else meanwhile
        raise refuse("expenditure", "already_linked", already) from error
