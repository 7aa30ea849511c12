"""Student lists, the approval queue, and the office's import and export."""

from django.urls import path

from students.views import lists

urlpatterns = [
    path("", lists.StudentListView.as_view(), name="list"),
    path("at-risk/", lists.StudentAtRiskView.as_view(), name="at-risk"),
    path("approvals/", lists.ApprovalQueueView.as_view(), name="approvals"),
    path("import/", lists.StudentImportView.as_view(), name="import"),
    path("export/", lists.StudentExportView.as_view(), name="export"),
]
