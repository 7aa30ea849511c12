"""Inspection pages under /inspections/ (``urlpatterns``, namespace ``supervision``) and the public,
anonymous pages of published results under /public/inspections/ (``public_urlpatterns``, namespace
``public``; ``config/urls.py`` includes them as ``(public_urlpatterns, "public")``).

Fixed paths come before ``<int:pk>/`` ones.
"""

from django.urls import URLPattern, path

from supervision.views import coordinator, inspector, leads, office, pages, public, reports
from supervision.views.draw import DrawDetailView, DrawListView, DrawRunView
from supervision.views.scorecard import ProbationDecideView, ScorecardDetailView, ScorecardListView

app_name = "supervision"
urlpatterns: list[URLPattern] = [
    # Inspections, checklists, findings and corrective actions.
    path("", pages.InspectionListView.as_view(), name="list"),
    path("plan/", office.InspectionPlanView.as_view(), name="plan"),
    path("mine/", inspector.MyInspectionsView.as_view(), name="mine"),
    path("actions/", pages.ActionListView.as_view(), name="actions"),
    path("actions/<int:pk>/answer/", coordinator.ActionAnswerView.as_view(), name="action-answer"),
    path("actions/<int:pk>/verify/", inspector.ActionVerifyView.as_view(), name="action-verify"),
    path("actions/<int:pk>/reopen/", inspector.ActionReopenView.as_view(), name="action-reopen"),
    path("leads/from-concern/<int:pk>/", leads.LeadFromConcernView.as_view(), name="lead-from-concern"),
    path("evidence/<str:kind>/<int:pk>/", pages.EvidenceDownloadView.as_view(), name="evidence"),
    path("<int:pk>/", pages.InspectionDetailView.as_view(), name="detail"),
    path("<int:pk>/start/", inspector.InspectionStartView.as_view(), name="start"),
    path("<int:pk>/close/", inspector.InspectionCloseView.as_view(), name="close"),
    path("<int:pk>/checklist/", inspector.ChecklistView.as_view(), name="checklist"),
    path("<int:pk>/findings/new/", inspector.FindingAddView.as_view(), name="finding-add"),
    # The spot-inspection draws, office only.
    path("draws/", DrawListView.as_view(), name="draws"),
    path("draws/run/", DrawRunView.as_view(), name="draw-run"),
    path("draws/<int:pk>/", DrawDetailView.as_view(), name="draw-detail"),
    # Reports and publication.
    path("<int:pk>/report/", reports.ReportView.as_view(), name="report"),
    path("reports/<int:pk>/pdf/", reports.ReportPdfView.as_view(), name="report-pdf"),
    path("reports/<int:pk>/retry/", reports.ReportRetryView.as_view(), name="report-retry"),
    path("<int:pk>/publish/", reports.PublishView.as_view(), name="publish"),
    path("publication/", reports.PublicationQueueView.as_view(), name="publication-queue"),
    # Partner scorecards and the office's probation decisions.
    path("scorecards/", ScorecardListView.as_view(), name="scorecards"),
    path("scorecards/<int:pk>/", ScorecardDetailView.as_view(), name="scorecard"),
    path("scorecards/<int:pk>/probation/", ProbationDecideView.as_view(), name="probation-decide"),
]

public_urlpatterns: list[URLPattern] = [
    path("", public.PublicInspectionListView.as_view(), name="inspection-list"),
    path("<int:pk>/", public.PublicInspectionDetailView.as_view(), name="inspection-detail"),
    path("<int:pk>/pdf/", public.PublicInspectionPdfView.as_view(), name="inspection-pdf"),
]
