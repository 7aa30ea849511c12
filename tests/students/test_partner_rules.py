"""Partner status and site capacity have effects: a suspended partner takes no new placement or agreement,
one on probation only with the office's confirmation (kept with its reason), a full site refuses with the
count unless the office allows it with a reason. Through the service, the pages and the API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from partners.models import PartnerStatus
from programmes import services as programme_services
from programmes.services import PartyTerms
from students import services
from students.models import Placement, PlacementOverride, PlacementOverrideKind, PlacementStatus, TrainingPlan
from students.services.partner_rules import site_peak_load
from tests.conftest import World, api_client_for, client_for
from tests.factories.partners import SiteFactory
from tests.factories.students import PlacementFactory, StudentFactory, TrainingPlanFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2027, 3, 1)  # after placement A (2026-10-01 to 2027-01-31), inside the programme
END = datetime.date(2027, 6, 30)


def _u(world: World, persona: str) -> User:
    user = world.users[persona]
    assert user is not None
    return user


def _plan(world: World) -> TrainingPlan:
    return TrainingPlan.objects.get(student=world.student_a)


def _set_status(world: World, status: str) -> None:
    type(world.partner_a).objects.filter(pk=world.partner_a.pk).update(status=status)
    world.partner_a.refresh_from_db()


def _add(world: World, by: User, **extra: Any) -> Placement:
    values: dict[str, Any] = {
        "partner": world.partner_a,
        "site": world.site_a,
        "supervisor": _u(world, "supervisor_a"),
        "start_date": START,
        "end_date": END,
    }
    values.update(extra)
    return services.placement_create(plan=_plan(world), by=by, **values)


def _rule(error: pytest.ExceptionInfo[ValidationError], field: str) -> tuple[str | None, str]:
    first = error.value.error_dict[field][0]
    return first.code, first.messages[0]


# --- Service ---------------------------------------------------------------------------------------------


def test_suspended_partner_takes_no_new_placement_even_from_the_office(world: World) -> None:
    _set_status(world, PartnerStatus.SUSPENDED)
    for persona in ("student_a", "tutor", "office"):
        with pytest.raises(ValidationError) as error:
            _add(world, _u(world, persona), probation_reason="x", capacity_reason="y")
        code, message = _rule(error, "partner")
        assert code == "partner_suspended"
        assert "suspended" in message
    assert Placement.objects.filter(student=world.student_a).count() == 1


def test_probation_partner_refuses_the_tutor_and_asks_the_office(world: World) -> None:
    _set_status(world, PartnerStatus.PROBATION)
    with pytest.raises(ValidationError) as error:
        _add(world, _u(world, "tutor"))
    code, message = _rule(error, "partner")
    assert code == "partner_probation"
    assert "office" in message


def test_office_confirms_probation_partner_only_with_a_reason_and_it_is_kept(world: World) -> None:
    _set_status(world, PartnerStatus.PROBATION)
    office = _u(world, "office")
    with pytest.raises(ValidationError) as error:
        _add(world, office, probation_reason="  ")
    assert _rule(error, "probation_reason")[0] == "partner_probation"

    placement = _add(world, office, probation_reason="Only MR department with the equipment this term.")

    override = PlacementOverride.objects.get(placement=placement)
    assert override.kind == PlacementOverrideKind.PROBATION
    assert override.reason == "Only MR department with the equipment this term."
    assert override.by == office


def test_full_site_refuses_with_the_count(world: World) -> None:
    site = SiteFactory.create(partner=world.partner_a, name="Small room", capacity=2)
    for _ in range(2):
        student = StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort)
        PlacementFactory.create(student=student, partner=world.partner_a, site=site, start_date=START, end_date=END)
    assert site_peak_load(site=site, start_date=START, end_date=END) == 2

    with pytest.raises(ValidationError) as error:
        _add(world, _u(world, "student_a"), site=site)

    code, message = _rule(error, "site")
    assert code == "site_capacity"
    assert "2" in message and "Small room" in message


def test_capacity_counts_only_placements_running_on_the_same_day(world: World) -> None:
    site = SiteFactory.create(partner=world.partner_a, name="Two at once", capacity=2)
    for start, end in ((START, datetime.date(2027, 3, 31)), (datetime.date(2027, 5, 1), END)):
        student = StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort)
        PlacementFactory.create(student=student, partner=world.partner_a, site=site, start_date=start, end_date=end)
    cancelled = PlacementFactory.create(
        student=StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort),
        partner=world.partner_a,
        site=site,
        start_date=START,
        end_date=END,
        status=PlacementStatus.CANCELLED,
    )
    assert cancelled.pk

    placement = _add(world, _u(world, "student_a"), site=site)  # at most 1 on any day before: room for one

    assert placement.site == site
    assert not PlacementOverride.objects.exists()


def test_office_allows_a_full_site_with_a_reason(world: World) -> None:
    site = SiteFactory.create(partner=world.partner_a, name="Single", capacity=1)
    other = StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort)
    PlacementFactory.create(student=other, partner=world.partner_a, site=site, start_date=START, end_date=END)
    office = _u(world, "office")
    with pytest.raises(ValidationError) as error:
        _add(world, office, site=site)
    assert _rule(error, "capacity_reason")[0] == "site_capacity"

    placement = _add(world, office, site=site, capacity_reason="A second scanner opens in March.")

    override = PlacementOverride.objects.get(placement=placement)
    assert override.kind == PlacementOverrideKind.CAPACITY
    assert "1 placements" in override.detail or "1" in override.detail


def test_update_moving_dates_into_a_full_site_is_refused(world: World) -> None:
    site = SiteFactory.create(partner=world.partner_a, name="Single", capacity=1)
    other = StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort)
    PlacementFactory.create(student=other, partner=world.partner_a, site=site, start_date=START, end_date=END)
    placement = world.placement_a
    student, supervisor = _u(world, "student_a"), placement.supervisor

    with pytest.raises(ValidationError) as error:
        services.placement_update(
            placement=placement, by=student, supervisor=supervisor, site=site, start_date=START, end_date=END
        )
    assert _rule(error, "site")[0] == "site_capacity"

    # Its own dates (October to January) do not overlap the other placement: the site has room then.
    moved = services.placement_update(
        placement=placement,
        by=student,
        supervisor=supervisor,
        site=site,
        start_date=placement.start_date,
        end_date=placement.end_date,
    )
    assert moved.site == site


def test_suspended_partner_enters_no_new_agreement(world: World) -> None:
    _set_status(world, PartnerStatus.SUSPENDED)
    with pytest.raises(ValidationError) as error:
        programme_services.agreement_create(
            programme=world.programme,
            by=_u(world, "office"),
            title="Renewal",
            start_date=START,
            end_date=END,
            status="signed",
            parties=[PartyTerms(partner=world.partner_a)],
        )
    assert any("suspended" in message for message in error.value.message_dict["parties"])


# --- Pages ------------------------------------------------------------------------------------------------


def _form_body(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "partner": world.partner_a.pk,
        "site": world.site_a.pk,
        "supervisor": _u(world, "supervisor_a").pk,
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        **extra,
    }


def test_placement_form_shows_probation_banner_and_the_office_confirms_with_a_reason(world: World) -> None:
    _set_status(world, PartnerStatus.PROBATION)
    url = reverse("students:placement-create", args=[world.student_a.pk])

    page = client_for(_u(world, "office")).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-partner-status="probation"' in html
    assert "on probation: needs the office" in html
    assert 'name="probation_reason"' in html

    refused = client_for(_u(world, "office")).post(url, _form_body(world))
    assert refused.status_code == 200
    assert "confirm the placement with a reason" in refused.content.decode()
    assert 'value="2027-03-01"' in refused.content.decode()  # input kept

    done = client_for(_u(world, "office")).post(url, _form_body(world, probation_reason="Agreed with the dean."))
    assert done.status_code == 302
    assert PlacementOverride.objects.filter(kind=PlacementOverrideKind.PROBATION).count() == 1


def test_student_form_has_no_override_fields_and_is_refused_at_a_probation_partner(world: World) -> None:
    _set_status(world, PartnerStatus.PROBATION)
    url = reverse("students:placement-create", args=[world.student_a.pk])
    client = client_for(_u(world, "student_a"))
    assert 'name="probation_reason"' not in client.get(url).content.decode()

    response = client.post(url, _form_body(world, probation_reason="sneaky"))

    assert response.status_code == 200
    assert "needs the graduate office" in response.content.decode()
    assert not PlacementOverride.objects.exists()


def test_partner_page_shows_the_suspension_banner_and_the_office_link(world: World) -> None:
    _set_status(world, PartnerStatus.SUSPENDED)
    url = reverse("partners:detail", args=[world.partner_a.pk])
    office_html = client_for(_u(world, "office")).get(url).content.decode()
    assert 'data-testid="partner-status-banner"' in office_html
    assert reverse("students:placements-to-move") in office_html
    coordinator_html = client_for(_u(world, "coordinator_a")).get(url).content.decode()
    assert "takes no new placements" in coordinator_html
    assert reverse("students:placements-to-move") not in coordinator_html


def test_placements_to_move_lists_future_placements_at_suspended_partners_for_the_office(world: World) -> None:
    today = timezone.localdate()
    future = PlacementFactory.create(
        student=StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort),
        partner=world.partner_a,
        site=world.site_a,
        start_date=today + datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=90),
    )
    ended = PlacementFactory.create(
        student=StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort),
        partner=world.partner_a,
        site=world.site_a,
        start_date=today - datetime.timedelta(days=90),
        end_date=today - datetime.timedelta(days=30),
    )
    _set_status(world, PartnerStatus.SUSPENDED)
    url = reverse("students:placements-to-move")

    response = client_for(_u(world, "office")).get(url)

    assert response.status_code == 200
    listed = {p.pk for p in response.context["placements"]}
    assert future.pk in listed
    assert ended.pk not in listed
    assert world.placement_b.pk not in listed  # partner B is active
    assert client_for(_u(world, "coordinator_a")).get(url).status_code == 404


def test_placements_to_move_query_count_does_not_grow(world: World) -> None:
    _set_status(world, PartnerStatus.SUSPENDED)
    url = reverse("students:placements-to-move")
    client = client_for(_u(world, "office"))
    today = timezone.localdate()

    def add(n: int) -> None:
        for _ in range(n):
            PlacementFactory.create(
                student=StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort),
                partner=world.partner_a,
                site=world.site_a,
                start_date=today + datetime.timedelta(days=10),
                end_date=today + datetime.timedelta(days=20),
            )

    add(1)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add(5)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


# --- API --------------------------------------------------------------------------------------------------

PLACEMENTS = "/api/v1/placements/"


def _api_body(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "student": world.student_a.pk,
        "partner": world.partner_a.pk,
        "site": world.site_a.pk,
        "supervisor": _u(world, "supervisor_a").pk,
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        **extra,
    }


def test_api_refuses_a_suspended_partner_naming_the_rule(world: World) -> None:
    _set_status(world, PartnerStatus.SUSPENDED)
    response = api_client_for(_u(world, "office")).post(PLACEMENTS, _api_body(world), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "partner_suspended"
    assert "partner" in error["fields"]


def test_api_office_confirms_probation_with_a_reason(world: World) -> None:
    _set_status(world, PartnerStatus.PROBATION)
    client = api_client_for(_u(world, "office"))
    assert client.post(PLACEMENTS, _api_body(world), format="json").json()["error"]["code"] == "partner_probation"

    response = client.post(PLACEMENTS, _api_body(world, probation_reason="Agreed with the dean."), format="json")

    assert response.status_code == 201, response.content
    assert "probation_reason" not in response.json()
    assert PlacementOverride.objects.get().reason == "Agreed with the dean."


def test_api_full_site_is_refused_for_the_student_with_the_count(world: World) -> None:
    site = SiteFactory.create(partner=world.partner_a, name="Single", capacity=1)
    other = StudentFactory.create(programme=world.programme, cohort=world.student_a.cohort)
    TrainingPlanFactory.create(student=other)
    PlacementFactory.create(student=other, partner=world.partner_a, site=site, start_date=START, end_date=END)

    response = api_client_for(_u(world, "student_a")).post(
        PLACEMENTS, _api_body(world, site=site.pk, capacity_reason="please"), format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "site_capacity"
    assert "1" in response.json()["error"]["message"]
