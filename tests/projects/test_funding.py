"""A project's training funds (ADR 0038): the allocation that pays for it is a checked key (the lead
partner's or the university's, named by a manager who reads it), expenditures of that allocation link to the
project once, and the funds pages show the projects through funds' hooks, at a constant number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funds import services as funds_services
from funds.models import Allocation, Category, Expenditure
from projects import services
from projects.models import Project, ProjectExpenditure
from tests.conftest import World, client_for
from tests.factories import funds as f
from tests.projects.helpers import project, user

pytestmark = pytest.mark.django_db


def _allocations(world: World) -> dict[str, Allocation]:
    """One fund allocated to partner A, partner B and the university."""
    fund = f.fund(world, total=Decimal("1000000"))
    return {
        "a": f.allocation(world, the_fund=fund),
        "b": f.allocation(world, partner=world.partner_b, the_fund=fund),
        "uni": f.allocation(world, partner=world.university, the_fund=fund),
    }


def _rule(error: ValidationError, field: str = "fund_allocation") -> str:
    assert field in error.message_dict, error.message_dict
    return str(error.error_dict[field][0].code)


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_allocation_must_be_the_lead_partners_or_the_universitys(world: World) -> None:
    allocations = _allocations(world)
    with pytest.raises(ValidationError) as refused:
        project(world, fund_allocation=allocations["b"])
    assert _rule(refused.value) == "allocation_other_partner"
    assert project(world, fund_allocation=allocations["a"]).fund_allocation == allocations["a"]
    at_a = project(world)
    office = user(world, "office")
    assert services.project_allocation_set(project=at_a, allocation=allocations["uni"], by=office).fund_allocation_id
    # the leader manages the project but reads no fund allocation
    with pytest.raises(ValidationError) as unseen:
        services.project_allocation_set(project=at_a, allocation=allocations["a"], by=user(world, "supervisor_a"))
    assert _rule(unseen.value) == "allocation_unseen"
    assert Project.objects.get(pk=at_a.pk).fund_allocation == allocations["uni"]


def test_allocation_page_names_the_field_and_keeps_the_choice(world: World) -> None:
    allocations = _allocations(world)
    at_a = project(world)
    url = reverse("projects:allocation", args=[at_a.pk])
    office = client_for(user(world, "office"))
    refused = office.post(url, {"fund_allocation": allocations["b"].pk})
    assert refused.status_code == 200
    assert "fund_allocation" in refused.context["form"].errors
    assert refused.context["form"]["fund_allocation"].value() == str(allocations["b"].pk)
    assert Project.objects.get(pk=at_a.pk).fund_allocation_id is None
    assert office.post(url, {"fund_allocation": allocations["a"].pk}).status_code == 302
    page = client_for(user(world, "coordinator_a")).get(reverse("projects:detail", args=[at_a.pk])).content.decode()
    assert reverse("funds:allocation", args=[allocations["a"].pk]) in page
    # the leader sees which allocation, without a link to a page they cannot open
    page = client_for(user(world, "supervisor_a")).get(reverse("projects:detail", args=[at_a.pk])).content.decode()
    assert reverse("funds:allocation", args=[allocations["a"].pk]) not in page
    api = client_for(user(world, "coordinator_a")).get(reverse("api:project-detail", args=[at_a.pk])).json()
    assert api["fund_allocation_id"] == allocations["a"].pk


def test_new_routes_are_404_out_of_scope(world: World) -> None:
    allocations = _allocations(world)
    at_a = project(world, fund_allocation=allocations["a"])
    for persona in ("coordinator_b", "student_a"):
        client = client_for(user(world, persona))
        assert client.get(reverse("projects:allocation", args=[at_a.pk])).status_code == 404
        assert client.get(reverse("projects:expenditure-link", args=[at_a.pk])).status_code == 404
    # the leader manages the project but records no spending: no link page
    leader = client_for(user(world, "supervisor_a"))
    assert leader.get(reverse("projects:expenditure-link", args=[at_a.pk])).status_code == 404
    # no allocation, nothing to link
    bare = project(world)
    office = client_for(user(world, "office"))
    assert office.get(reverse("projects:expenditure-link", args=[bare.pk])).status_code == 404


def test_expenditures_link_once_from_the_projects_allocation(world: World) -> None:
    allocations = _allocations(world)
    at_a = project(world, fund_allocation=allocations["a"])
    coordinator = user(world, "coordinator_a")
    officer = f.finance_officer(world.partner_a)
    mine = f.spend(allocations["a"], officer, amount=Decimal("800"))
    theirs = f.spend(allocations["b"], f.finance_officer(world.partner_b))
    link = services.project_expenditure_link(project=at_a, expenditure=mine, by=coordinator)
    assert (link.linked_by, link.project) == (coordinator, at_a)
    with pytest.raises(ValidationError) as twice:
        services.project_expenditure_link(
            project=project(world, fund_allocation=allocations["a"]), expenditure=mine, by=coordinator
        )
    assert _rule(twice.value, "expenditure") == "already_linked"
    with pytest.raises(ValidationError) as other:
        services.project_expenditure_link(project=at_a, expenditure=theirs, by=user(world, "office"))
    assert _rule(other.value, "expenditure") == "other_allocation"
    reversal = funds_services.expenditure_reverse(expenditure=mine, reason="Wrong invoice", by=officer)
    with pytest.raises(ValidationError) as reversing:
        services.project_expenditure_link(project=at_a, expenditure=reversal, by=coordinator)
    assert _rule(reversing.value, "expenditure") == "reversal"
    # with spending linked, the project's allocation no longer changes
    with pytest.raises(ValidationError) as moved:
        services.project_allocation_set(project=at_a, allocation=allocations["uni"], by=user(world, "office"))
    assert _rule(moved.value) == "allocation_has_spending"
    assert ProjectExpenditure.objects.count() == 1
    with pytest.raises(TypeError):
        ProjectExpenditure.objects.all().update(project=at_a)


def test_project_page_sums_linked_spending_and_funds_pages_show_the_project(world: World) -> None:
    allocations = _allocations(world)
    at_a = project(world, title_en="Imaging venture", fund_allocation=allocations["a"])
    officer = f.finance_officer(world.partner_a)
    approved = f.spend(allocations["a"], officer, amount=Decimal("700"))
    funds_services.expenditure_approve(expenditure=approved, by=user(world, "coordinator_a"))
    pending = f.spend(allocations["a"], officer, amount=Decimal("250"), payee="Courier")
    coordinator = client_for(user(world, "coordinator_a"))
    link_url = reverse("projects:expenditure-link", args=[at_a.pk])
    for entry in (approved, pending):
        assert coordinator.post(link_url, {"expenditure": entry.pk}).status_code == 302
    refused = coordinator.post(link_url, {"expenditure": pending.pk})
    assert refused.status_code == 200 and "expenditure" in refused.context["form"].errors
    spending = coordinator.get(reverse("projects:detail", args=[at_a.pk])).context["spending"]
    assert (spending.approved, spending.pending, spending.count) == (Decimal("700"), Decimal("250"), 2)
    allocation_page = coordinator.get(reverse("funds:allocation", args=[allocations["a"].pk])).content.decode()
    assert "Imaging venture" in allocation_page
    expenditure_page = coordinator.get(reverse("funds:expenditure", args=[pending.pk])).content.decode()
    assert 'data-testid="expenditure-project"' in expenditure_page and "Imaging venture" in expenditure_page
    # a finance officer reads the allocation but not the project: counted, not named
    as_officer = client_for(officer).get(reverse("funds:allocation", args=[allocations["a"].pk])).content.decode()
    assert "Imaging venture" not in as_officer and 'data-testid="allocation-projects"' in as_officer


def test_allocation_and_project_pages_cost_the_same_as_projects_and_links_grow(world: World) -> None:
    allocations = _allocations(world)
    office = user(world, "office")
    officer = f.finance_officer(world.partner_a)
    at_a = project(world, fund_allocation=allocations["a"])
    client = client_for(user(world, "coordinator_a"))
    urls = [reverse("funds:allocation", args=[allocations["a"].pk]), reverse("projects:detail", args=[at_a.pk])]

    def grow() -> None:
        project(world, fund_allocation=allocations["a"])
        entry = f.spend(allocations["a"], officer, amount=Decimal("90"), date=datetime.date.today())
        services.project_expenditure_link(project=at_a, expenditure=entry, by=office)

    grow()
    first = [_queries(client, url) for url in urls]
    for _ in range(3):
        grow()
    assert [_queries(client, url) for url in urls] == first
    assert Expenditure.objects.filter(category=Category.CONSUMABLES).count() == 4
