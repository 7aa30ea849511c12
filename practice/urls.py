"""Practice-hour pages: log, my entries, the sign-off queue, progress, reopened months and rules."""

from django.urls import path

from practice import exports, views, views_import

app_name = "practice"
urlpatterns = [
    path("log/", views.EntryCreateView.as_view(), name="log"),
    path("mine/", views.EntryListView.as_view(), name="mine"),
    path("<int:pk>/withdraw/", views.EntryWithdrawView.as_view(), name="withdraw"),
    path("<int:pk>/correct/", views.EntryCorrectView.as_view(), name="correct"),
    path("queue/", views.QueueView.as_view(), name="queue"),
    path("approve/", views.ApproveManyView.as_view(), name="approve-many"),
    path("<int:pk>/approve/", views.ApproveView.as_view(), name="approve"),
    path("<int:pk>/reject/", views.RejectView.as_view(), name="reject"),
    path("students/<int:student_pk>/progress/", views.ProgressView.as_view(), name="progress"),
    path("reopen/", views.ReopenView.as_view(), name="reopen"),
    path("rules/", views.RulesView.as_view(), name="rules"),
    path("export/", exports.PracticeLogExportView.as_view(), name="export"),
    path("import/", views_import.HoursImportView.as_view(), name="import"),
]
