"""A suspended partner takes no new inspections as its people's employer: an inspector with a membership in
force there is refused when planning, and left out of the draw's pool (issue 10)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role
from partners.models import Partner, PartnerStatus
from supervision import services
from supervision.models import InspectionKind, TargetKind
from supervision.services.draw import _Inspectors
from tests.conftest import World
from tests.factories.supervision import ChecklistTemplateFactory

pytestmark = pytest.mark.django_db


def _employee_of_suspended_b(world: World) -> User:
    user = world.users["supervisor_b"]
    assert user is not None
    grant_platform_role(user, PlatformRole.INSPECTOR)
    Partner.objects.filter(pk=world.partner_b.pk).update(status=PartnerStatus.SUSPENDED)
    return user


def test_planning_refuses_an_inspector_employed_by_a_suspended_partner(world: World) -> None:
    employee = _employee_of_suspended_b(world)
    office = world.users["office"]
    assert office is not None
    with pytest.raises(ValidationError) as error:
        services.inspection_plan(
            kind=InspectionKind.SPOT,
            partner=world.partner_a,
            template=ChecklistTemplateFactory.create(target_kind=TargetKind.PARTNER),
            planned_date=datetime.date(2027, 3, 1),
            inspectors=[employee],
            by=office,
        )
    assert error.value.error_dict["inspectors"][0].code == "inspector_employer_suspended"


def test_the_draw_pool_leaves_them_out(world: World) -> None:
    employee = _employee_of_suspended_b(world)
    pool = _Inspectors([world.partner_a.pk], datetime.date(2027, 3, 1))
    assert employee.pk not in {u.pk for u in pool.users}
    assert world.users["inspector"].pk in {u.pk for u in pool.users}  # type: ignore[union-attr]
