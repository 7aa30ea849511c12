"""System checks run by every ``manage.py`` command, ``make run`` included: problems found at startup."""

from __future__ import annotations

from typing import Any

from django.core import checks


@checks.register(checks.Tags.compatibility)
def cjk_font_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn at startup when Chinese PDFs would be refused for want of the CJK font (core/pdf.py)."""
    from core.pdf import CJK_FAMILY, CJK_PACKAGE, cjk_font_installed

    if cjk_font_installed():
        return []
    return [
        checks.Warning(
            f"The font {CJK_FAMILY!r} is not installed: PDFs with Chinese text will be refused.",
            hint=f"Install Debian's {CJK_PACKAGE} (bin/system-deps.sh run, which make run calls) and restart.",
            id="tandem.W001",
        )
    ]
