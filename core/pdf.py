"""The one way Tandem makes PDFs: WeasyPrint, a CJK font, and a URL fetcher that fetches nothing outside.

User text ends up in PDFs (names, findings, notes). The fetcher allows ``data:`` URLs and files inside
the project's PDF asset folder only, with no redirects, so a ``<link rel=attachment href=file:///...>``,
an ``@import url(http://...)`` or a remote image in user content can neither read the server's files
nor make it call out. Templates are Django templates, which escape user text.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetchingError

logger = logging.getLogger("tandem.pdf")

ASSET_DIR = Path(settings.BASE_DIR) / "static" / "pdf"
ASSET_SCHEME = "tandem-asset:"
BASE_CSS = ASSET_DIR / "base.css"


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
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=ASSET_SCHEME, url_fetcher=AssetOnlyFetcher())
    stylesheet = CSS(filename=str(BASE_CSS), font_config=fonts)
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
    return pdf
