"""Template helpers of supervision pages: words for codes people should not have to decode."""

from __future__ import annotations

import datetime
import re

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()

_PERIOD = re.compile(r"^(\d{4})-W(\d{2})$")


@register.filter
def period_label(period: str) -> str:
    """A draw period (an ISO week, ``2026-W49``) as people say it: "week 49 of 2026 (30 Nov to 6 Dec)"."""
    match = _PERIOD.match(period or "")
    if match is None:
        return period
    year, week = int(match.group(1)), int(match.group(2))
    monday = datetime.date.fromisocalendar(year, week, 1)
    sunday = monday + datetime.timedelta(days=6)
    return _("week %(week)s of %(year)s (%(start)s to %(end)s)") % {
        "week": week,
        "year": year,
        "start": date_format(monday, "MONTH_DAY_FORMAT"),
        "end": date_format(sunday, "MONTH_DAY_FORMAT"),
    }
