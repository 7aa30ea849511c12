"""Reads about partners shared by pages and the API. Each starts from the user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.roles import AnyUser
from partners import access
from partners.models import Membership, Partner, PartnerStatusChange, Site, in_force_q


def partner_list(*, user: AnyUser, filters: dict[str, Any] | None = None) -> QuerySet[Partner]:
    """The partner directory: search by name, filter by kind and status; active member counts included."""
    filters = filters or {}
    partners = access.scope(Partner.objects.all(), user, "view")
    if search := (filters.get("q") or "").strip():
        partners = partners.filter(Q(name__icontains=search) | Q(short_name__icontains=search))
    if kind := filters.get("kind"):
        partners = partners.filter(kind=kind)
    if status := filters.get("status"):
        partners = partners.filter(status=status)
    return partners.annotate(site_count=Count("sites", distinct=True)).order_by("name")


def site_list(*, user: AnyUser, partner: Partner | None = None) -> QuerySet[Site]:
    """Sites the user may see, optionally of one partner."""
    sites = access.scope(Site.objects.select_related("partner"), user, "view")
    if partner is not None:
        sites = sites.filter(partner=partner)
    return sites.order_by("partner__name", "name")


def membership_list(
    *, user: AnyUser, partner: Partner | None = None, include_ended: bool = False
) -> QuerySet[Membership]:
    """Memberships the user may see; only those in force unless ``include_ended``."""
    memberships = access.scope(Membership.objects.select_related("user", "partner"), user, "view")
    if not include_ended:
        memberships = memberships.filter(in_force_q())
    if partner is not None:
        memberships = memberships.filter(partner=partner)
    return memberships.order_by("partner__name", "role", "user__username")


def partner_status_history(*, user: AnyUser, partner: Partner) -> QuerySet[PartnerStatusChange]:
    """A partner's status changes, newest first, if the user may see them."""
    changes = access.scope(PartnerStatusChange.objects.select_related("changed_by"), user, "view")
    return changes.filter(partner=partner).order_by("-changed_at", "-pk")


def membership_person_choices() -> QuerySet[User]:
    """The people a partner's coordinator (or the office) may add as members: every active account, by
    username. Adding a person is how an account gets its first partner, so no partner scope applies."""
    return User.objects.filter(is_active=True).order_by("username")
