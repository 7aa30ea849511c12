"""Academic integrity pages (submissions, originality checks and the violations register); mounted under
/integrity/ by ``config/urls.py``. Fixed paths come before ``<int:pk>/`` ones."""

from django.urls import URLPattern, URLResolver, path

from integrity.views import cases, office, submissions

app_name = "integrity"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", submissions.SubmissionListView.as_view(), name="submissions"),
    path("submit/", submissions.SubmissionCreateView.as_view(), name="submission-create"),
    path("submissions/<int:pk>/", submissions.SubmissionDetailView.as_view(), name="submission"),
    path("submissions/<int:pk>/file/", submissions.SubmissionFileView.as_view(), name="submission-file"),
    path("reports/<int:pk>/", submissions.ReportView.as_view(), name="report"),
    path("reports/<int:pk>/pdf/", submissions.ReportPdfView.as_view(), name="report-pdf"),
    path("reports/<int:pk>/decide/", submissions.ReportDecideView.as_view(), name="report-decide"),
    path("reports/<int:pk>/retry/", submissions.ReportRetryView.as_view(), name="report-retry"),
    path("dashboard/", office.DashboardView.as_view(), name="dashboard"),
    path("references/", office.ReferenceView.as_view(), name="references"),
    path("public/", office.public_counts, name="public-counts"),
    path("cases/", cases.CaseListView.as_view(), name="cases"),
    path("cases/new/", cases.CaseOpenView.as_view(), name="case-open"),
    path("cases/from-concern/<int:pk>/", cases.CaseFromConcernView.as_view(), name="case-from-concern"),
    path("cases/<int:pk>/", cases.CaseDetailView.as_view(), name="case"),
    path("cases/<int:pk>/step/", cases.CaseStepView.as_view(), name="case-step"),
    path("cases/<int:pk>/decide/", cases.CaseDecideView.as_view(), name="case-decide"),
    path("cases/<int:pk>/answer/", cases.CaseAnswerView.as_view(), name="case-answer"),
]
