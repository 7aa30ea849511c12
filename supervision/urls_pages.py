"""Inspection pages: pages (see supervision/urls.py). Fixed paths come before ``<int:pk>/`` ones."""

from django.urls import URLPattern, path

from supervision.views import coordinator, inspector, office, pages

urlpatterns: list[URLPattern] = [
    path("", pages.InspectionListView.as_view(), name="list"),
    path("plan/", office.InspectionPlanView.as_view(), name="plan"),
    path("mine/", inspector.MyInspectionsView.as_view(), name="mine"),
    path("actions/", pages.ActionListView.as_view(), name="actions"),
    path("actions/<int:pk>/answer/", coordinator.ActionAnswerView.as_view(), name="action-answer"),
    path("actions/<int:pk>/verify/", inspector.ActionVerifyView.as_view(), name="action-verify"),
    path("actions/<int:pk>/reopen/", inspector.ActionReopenView.as_view(), name="action-reopen"),
    path("evidence/<str:kind>/<int:pk>/", pages.EvidenceDownloadView.as_view(), name="evidence"),
    path("<int:pk>/", pages.InspectionDetailView.as_view(), name="detail"),
    path("<int:pk>/start/", inspector.InspectionStartView.as_view(), name="start"),
    path("<int:pk>/close/", inspector.InspectionCloseView.as_view(), name="close"),
    path("<int:pk>/checklist/", inspector.ChecklistView.as_view(), name="checklist"),
    path("<int:pk>/findings/new/", inspector.FindingAddView.as_view(), name="finding-add"),
]
