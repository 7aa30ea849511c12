"""The report's "funds" section (a first stub: the figures come with the issue's work, see #17)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from quality.figures import Frame, Section


def section(frame: Frame) -> Section:
    """The funds figures for ``frame``."""
    return Section(key="funds", title=gettext_noop("funds"))
