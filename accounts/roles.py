"""Platform roles: roles that belong to no partner, held as Django groups.

Partner roles (coordinator, supervisor, tutor, staff) are memberships of a partner instead; see
``partners.models.Membership``. Only ``partners.access`` decides what a role may do.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Group
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User

#: Whoever makes a request: a user, or the anonymous visitor.
AnyUser = User | AnonymousUser


class PlatformRole(models.TextChoices):
    OFFICE = "office", _("Graduate office")
    INSPECTOR = "inspector", _("Inspector")
    COUNSELLOR = "counsellor", _("Counsellor")


_CACHE_ATTR = "_tandem_platform_roles"


def platform_roles(user: AnyUser) -> frozenset[str]:
    """The platform roles of a user, read once per user object (one query) and cached on it."""
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        names = Group.objects.filter(user__pk=user.pk, name__in=PlatformRole.values).values_list("name", flat=True)
        cached = frozenset(names)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def has_platform_role(user: AnyUser, role: PlatformRole) -> bool:
    """Whether the user holds the platform role."""
    return role.value in platform_roles(user)


def users_with_platform_role(role: PlatformRole) -> QuerySet[User]:
    """The active users who hold the platform role (unordered: callers order and narrow it). The one place
    that asks the groups who holds a role; ``partners.access`` offers it to the apps."""
    return User.objects.filter(groups__name=role.value, is_active=True)


def grant_platform_role(user: User, role: PlatformRole) -> None:
    """Give a user a platform role (creating its group on first use)."""
    group, _created = Group.objects.get_or_create(name=role.value)
    group.user_set.add(user)
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def revoke_platform_role(user: User, role: PlatformRole) -> None:
    """Take a platform role away."""
    group = Group.objects.filter(name=role.value).first()
    if group is not None:
        group.user_set.remove(user)
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
