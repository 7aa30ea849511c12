"""Who may see and do what with quality reports (registered with the engine, ``partners.access``).

The full report, its builds and publication, the comparison and the dashboard are the office's. The public
reads only the published version, through the public pages and API, which do not go through ``scope()``
(they select published reports themselves: ``quality.selectors.published_reports``).
"""

from __future__ import annotations

from partners import access
from partners.access import office_only
from quality.models import QualityReport, QualityReportFile

access.register(
    QualityReport,
    {"view": office_only, "request": office_only, "publish": office_only, "retry": office_only},
)
access.register(QualityReportFile, {"view": office_only})
