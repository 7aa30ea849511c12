"""The crisis lines the office keeps, shown at once to anyone whose answer signals a crisis."""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from core.validation import refuse
from partners import access
from wellbeing.models import Hotline


def hotline_add(*, by: User, name: str, number: str, hours: str = "") -> Hotline:
    """The office adds a hotline (shown last)."""
    access.require(by, "manage", Hotline)
    if not name.strip() or not number.strip():
        raise refuse("number", "required", _("Give the line's name and number."))
    order = (Hotline.objects.aggregate(top=Max("order"))["top"] or 0) + 1
    return Hotline.objects.create(name=name.strip(), number=number.strip(), hours=hours.strip(), order=order)


def hotline_remove(*, hotline: Hotline, by: User) -> Hotline:
    """The office stops showing a hotline (the row is kept, inactive)."""
    access.require(by, "manage", hotline)
    Hotline.objects.filter(pk=hotline.pk).update(active=False)
    hotline.refresh_from_db()
    return hotline
