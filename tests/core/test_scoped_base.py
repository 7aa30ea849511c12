"""The scoped base for pages (core/views.py): a row out of scope is a 404 kept as a denial, whatever the
page's style (a view class on ``ScopedObjectMixin`` or a function calling ``scoped_object``), and the
people holding a platform role are listed in one place (``access.users_with_platform_role``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from accounts.roles import PlatformRole, grant_platform_role, revoke_platform_role
from core.models import AccessDenial
from core.views import request_user, require_or_404, scoped_object, scoped_queryset
from partners import access
from partners.models import Partner, Site
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db


def _request(user: Any) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_scoped_object_returns_a_row_in_scope(coordinator_a: User, world: World) -> None:
    before = AccessDenial.objects.count()

    site = scoped_object(_request(coordinator_a), Site, "change", pk=world.site_a.pk)

    assert site == world.site_a
    assert AccessDenial.objects.count() == before


def test_scoped_object_out_of_scope_is_a_404_kept_as_a_denial(coordinator_b: User, world: World) -> None:
    with pytest.raises(Http404):
        scoped_object(_request(coordinator_b), Site.objects.select_related("partner"), "change", pk=world.site_a.pk)

    denial = AccessDenial.objects.latest("at")
    assert (denial.user_id, denial.action, denial.target) == (coordinator_b.pk, "change", f"Site:{world.site_a.pk}")


@pytest.mark.parametrize("pk", ["abc", "1.5", None])
def test_scoped_object_with_a_malformed_lookup_is_a_404_not_a_500(office: User, world: World, pk: Any) -> None:
    with pytest.raises(Http404):
        scoped_object(_request(office), Partner, pk=pk)


def test_scoped_object_names_other_lookups_in_the_denial(coordinator_b: User, world: World) -> None:
    with pytest.raises(Http404):
        scoped_object(_request(coordinator_b), Site, "change", partner_id=world.partner_a.pk, name="Imaging A")

    assert AccessDenial.objects.latest("at").target == f"Site:partner_id={world.partner_a.pk},name=Imaging A"


def test_scoped_queryset_never_returns_the_queryset_it_was_given(office: User, world: World) -> None:
    given = Partner.objects.order_by("name")

    rows = scoped_queryset(_request(office), given)
    list(rows)

    assert rows is not given
    assert given._result_cache is None


def test_require_or_404_on_a_model_records_the_denial(coordinator_a: User) -> None:
    with pytest.raises(Http404):
        require_or_404(_request(coordinator_a), "create", Partner)

    assert AccessDenial.objects.latest("at").target == "Partner"


def test_request_user_refuses_an_anonymous_request() -> None:
    with pytest.raises(PermissionDenied):
        request_user(_request(AnonymousUser()))


def test_detail_view_on_the_base_answers_404_out_of_scope_and_keeps_the_denial(world: World) -> None:
    # The scorecard page is a ScopedObjectMixin view ("view_scorecard": a coordinator their own partner).
    coordinator_b = world.users["coordinator_b"]
    before = AccessDenial.objects.count()

    response = client_for(coordinator_b).get(reverse("supervision:scorecard", args=[world.partner_a.pk]))

    assert response.status_code == 404
    assert AccessDenial.objects.count() == before + 1
    assert AccessDenial.objects.latest("at").target == f"Partner:{world.partner_a.pk}"


def test_form_view_without_a_pk_needs_the_action_on_the_model(world: World) -> None:
    # Creating a partner is a ScopedFormView about the model as a whole: the office only.
    assert client_for(world.users["office"]).get(reverse("partners:create")).status_code == 200
    assert client_for(world.users["coordinator_a"]).get(reverse("partners:create")).status_code == 404
    assert AccessDenial.objects.latest("at").action == "create"


def test_users_with_platform_role_lists_active_holders_only(world: World, office: User, inspector: User) -> None:
    assert list(access.users_with_platform_role(PlatformRole.OFFICE)) == [office]
    assert list(access.users_with_platform_role(PlatformRole.INSPECTOR)) == [inspector]

    grant_platform_role(world.users["tutor"], PlatformRole.OFFICE)  # type: ignore[arg-type]
    office.is_active = False
    office.save(update_fields=["is_active"])
    assert list(access.users_with_platform_role(PlatformRole.OFFICE)) == [world.users["tutor"]]

    revoke_platform_role(world.users["tutor"], PlatformRole.OFFICE)  # type: ignore[arg-type]
    assert not access.users_with_platform_role(PlatformRole.OFFICE).exists()
