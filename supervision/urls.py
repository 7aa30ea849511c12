"""Inspection pages under /inspections/: one URL module per area, so each stays small.

The public, anonymous pages of published results live in ``supervision.urls_public`` (under
/public/inspections/).
"""

from supervision import urls_draw, urls_pages, urls_reports, urls_scorecard

app_name = "supervision"
urlpatterns = [
    *urls_pages.urlpatterns,
    *urls_draw.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_scorecard.urlpatterns,
]
