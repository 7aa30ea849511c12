"""Inspection pages: reports and publication (see supervision/urls.py)."""

from django.urls import URLPattern, path

from supervision.views import reports

urlpatterns: list[URLPattern] = [
    path("<int:pk>/report/", reports.ReportView.as_view(), name="report"),
    path("reports/<int:pk>/pdf/", reports.ReportPdfView.as_view(), name="report-pdf"),
    path("reports/<int:pk>/retry/", reports.ReportRetryView.as_view(), name="report-retry"),
    path("<int:pk>/publish/", reports.PublishView.as_view(), name="publish"),
    path("publication/", reports.PublicationQueueView.as_view(), name="publication-queue"),
]
