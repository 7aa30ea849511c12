"""Projects pages (research and entrepreneurial projects, outputs and points); mounted under /projects/ by
``config/urls.py``. Fixed paths come before ``<int:pk>/`` ones."""

from django.urls import URLPattern, URLResolver, path

from projects import views

app_name = "projects"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ProjectListView.as_view(), name="list"),
    path("new/", views.ProjectCreateView.as_view(), name="create"),
    path("board/", views.BoardView.as_view(), name="board"),
    path("board/<int:pk>/join/", views.JoinView.as_view(), name="join"),
    path("requests/<int:pk>/answer/", views.RequestAnswerView.as_view(), name="request-answer"),
    path("outputs/", views.OutputQueueView.as_view(), name="outputs"),
    path("outputs/<int:pk>/decide/", views.OutputDecideView.as_view(), name="output-decide"),
    path("outputs/<int:pk>/evidence/", views.OutputEvidenceView.as_view(), name="output-evidence"),
    path("points/", views.PointsView.as_view(), name="points"),
    path("points/<int:pk>/reverse/", views.AwardReverseView.as_view(), name="award-reverse"),
    path("schemes/", views.SchemeListView.as_view(), name="schemes"),
    path("schemes/new/", views.SchemeCreateView.as_view(), name="scheme-create"),
    path("report/", views.ReportView.as_view(), name="report"),
    path("report/xlsx/", views.ReportXlsxView.as_view(), name="report-xlsx"),
    path("report/pdf/", views.ReportPdfView.as_view(), name="report-pdf"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="detail"),
    path("<int:pk>/status/", views.ProjectStatusView.as_view(), name="status"),
    path("<int:pk>/allocation/", views.AllocationSetView.as_view(), name="allocation"),
    path("<int:pk>/expenditures/link/", views.ExpenditureLinkView.as_view(), name="expenditure-link"),
    path("<int:pk>/members/new/", views.MemberAddView.as_view(), name="member-add"),
    path("<int:pk>/outputs/new/", views.OutputCreateView.as_view(), name="output-create"),
    path("<int:pk>/board/new/", views.PostCreateView.as_view(), name="post-create"),
]
