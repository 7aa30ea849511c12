"""The one way Tandem makes PDFs: WeasyPrint, a CJK font, and a URL fetcher that fetches nothing outside.

Chinese text needs a font with Chinese glyphs. Without one, WeasyPrint silently falls back to a Latin font
and the PDF reads back as glyph codes: an auditor downloading a Chinese report would get boxes. So a
document with Chinese text is refused with ``PdfFontMissing`` when the family ``static/pdf/base.css`` names
for it is not installed, ``/healthz`` and ``manage.py check`` report the missing font, and ``make run`` /
``make test`` install it (``bin/system-deps.sh``, docs/decisions/0007-system-packages.md).

User text ends up in PDFs (names, findings, notes). The fetcher allows ``data:`` URLs and files inside
the project's PDF asset folder only, with no redirects, so a ``<link rel=attachment href=file:///...>``,
an ``@import url(http://...)`` or a remote image in user content can neither read the server's files
nor make it call out. Templates are Django templates, which escape user text.
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetchingError

logger = logging.getLogger("tandem.pdf")

ASSET_DIR = Path(settings.BASE_DIR) / "static" / "pdf"
ASSET_SCHEME = "tandem-asset:"
BASE_CSS = ASSET_DIR / "base.css"
#: The family base.css names first; Debian's ``fonts-noto-cjk`` (and the Docker image) provide it.
CJK_FAMILY = "Noto Sans CJK SC"
CJK_PACKAGE = "fonts-noto-cjk"
#: The font stack base.css gives the document, for SVG drawn into a PDF: WeasyPrint does not apply the
#: document's stylesheet (or ``font-family="inherit"``) inside inline SVG, so an SVG without this attribute is
#: set in fontconfig's default face, which for Chinese is the Japanese Noto face (different glyph shapes for
#: many Chinese characters). Name it on the ``<svg>`` element of every graphic that a PDF includes.
SVG_FONT_FAMILY = "'Noto Sans CJK SC', 'Noto Sans', 'DejaVu Sans', sans-serif"
_CJK_TEXT = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


class PdfFontMissing(ImproperlyConfigured):
    """A document with Chinese text cannot be set: the CJK font is not installed."""


@functools.cache
def cjk_font_installed() -> bool:
    """Whether fontconfig resolves ``CJK_FAMILY`` to itself (not to a fallback such as DejaVu).

    Asked once per process: installing a font needs a restart anyway, and ``/healthz`` asks often.
    """
    from weasyprint.text.ffi import ffi, fontconfig

    config = fontconfig.FcInitLoadConfigAndFonts()
    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", CJK_FAMILY.encode())
        fontconfig.FcConfigSubstitute(config, pattern, fontconfig.FcMatchPattern)
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fontconfig.FcFontMatch(config, pattern, result)
        if match == ffi.NULL:
            return False
        family = ffi.new("FcChar8 **")
        found = fontconfig.FcPatternGetString(match, b"family", 0, family) == fontconfig.FcResultMatch
        name = ffi.string(family[0]).decode() if found else ""
        fontconfig.FcPatternDestroy(match)
        return name == CJK_FAMILY
    finally:
        fontconfig.FcPatternDestroy(pattern)
        fontconfig.FcConfigDestroy(config)


def require_cjk_font(html: str) -> None:
    """Refuse to set Chinese text without a CJK font, rather than print boxes."""
    if _CJK_TEXT.search(html) and not cjk_font_installed():
        raise PdfFontMissing(
            f"This document has Chinese text but the font {CJK_FAMILY!r} is not installed; "
            f"install Debian's {CJK_PACKAGE} (make run does it) and restart."
        )


class AssetOnlyFetcher(URLFetcher):
    """Serve ``data:`` URLs and ``tandem-asset:NAME`` files from the asset folder; refuse everything else."""

    def __init__(self) -> None:
        # "file" is allowed only for the paths this class builds itself from ``tandem-asset:`` URLs.
        super().__init__(allowed_protocols=["data", "file"], allow_redirects=False, timeout=2)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith(ASSET_SCHEME):
            name = url[len(ASSET_SCHEME) :].lstrip("/")
            path = (ASSET_DIR / name).resolve()
            if ASSET_DIR.resolve() not in path.parents or not path.is_file():
                raise URLFetchingError(f"refused asset {url!r}")
            return super().fetch(path.as_uri(), headers)
        if url.startswith("data:"):
            return super().fetch(url, headers)
        logger.warning("PDF fetch refused: %s", url[:200])
        raise URLFetchingError(f"refused {url[:80]!r}")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render a Django template to PDF bytes with Tandem's PDF stylesheet and fonts."""
    html = render_to_string(template, context)
    require_cjk_font(html)
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=ASSET_SCHEME, url_fetcher=AssetOnlyFetcher())
    stylesheet = CSS(filename=str(BASE_CSS), font_config=fonts)
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
    return pdf
