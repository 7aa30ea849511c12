"""Inspection reports: what goes in them, redaction for the public, the chart, and the frozen render.

By topic:

* ``redaction``: the public variant's redaction (:func:`redact`), done on the way into the template
  context, never in the template;
* ``chart``: the checklist results by aspect and their SVG chart;
* ``context``: everything a report shows (:func:`report_context`);
and, because it writes, in the services package (docs/decisions/0012): ``supervision.services.reports``,
requesting a version, rendering it once under a claim (the Celery task ``supervision.render_report``, sent
by name: ``RENDER_TASK``), retries and the sweep.

The names others use are re-exported here, so ``from supervision.reports import ...`` keeps working. A
test that replaces a name for a call made inside the package patches the submodule that looks it up
(``supervision.services.reports``), not this package.
"""

from supervision.reports.chart import (
    COUNT_FILL,
    RATING_FILL,
    RATING_ORDER,
    AspectSummary,
    aspect_chart_svg,
    summarise_aspects,
)
from supervision.reports.context import SEVERITY_ORDER, public_target_kind, public_target_site, report_context
from supervision.reports.redaction import (
    REDACTED,
    NameTerms,
    Redactor,
    inspectors_of,
    name_terms,
    public_inspector_names,
    redact,
    redactor_for,
    scrub_contacts,
)
from supervision.services.reports import (
    ERROR_MAX,
    MAX_ATTEMPTS,
    PAGE_TEMPLATE,
    PDF_TEMPLATE,
    RENDER_TASK,
    SweepCounts,
    download_name,
    latest_ready,
    render_report_bytes,
    report_file_name,
    report_languages,
    report_render,
    report_request,
    report_request_every_language,
    report_retry,
    reports_sweep,
    stuck_minutes,
)

__all__ = [
    "COUNT_FILL",
    "ERROR_MAX",
    "MAX_ATTEMPTS",
    "PAGE_TEMPLATE",
    "PDF_TEMPLATE",
    "RATING_FILL",
    "RATING_ORDER",
    "REDACTED",
    "RENDER_TASK",
    "SEVERITY_ORDER",
    "AspectSummary",
    "NameTerms",
    "Redactor",
    "SweepCounts",
    "aspect_chart_svg",
    "download_name",
    "inspectors_of",
    "latest_ready",
    "name_terms",
    "public_inspector_names",
    "public_target_kind",
    "public_target_site",
    "redact",
    "redactor_for",
    "render_report_bytes",
    "report_context",
    "report_file_name",
    "report_languages",
    "report_render",
    "report_request",
    "report_request_every_language",
    "report_retry",
    "reports_sweep",
    "scrub_contacts",
    "stuck_minutes",
    "summarise_aspects",
]
