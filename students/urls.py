"""Student pages: one student's training plan (issue #3), and the lists, queues, import and export.

In the plan pages ``pk`` is the student's, except under ``placements/`` (a placement) and
``milestones/`` (a milestone).
"""

from django.urls import URLPattern, path

from students.views import lists, plan

app_name = "students"
urlpatterns: list[URLPattern] = [
    # The training plan: its workflow, versions, placements and milestones.
    path("mine/", plan.PlanMineView.as_view(), name="plan-mine"),
    path("<int:pk>/", plan.PlanDetailView.as_view(), name="plan"),
    path("<int:pk>/plan.pdf", plan.PlanPdfView.as_view(), name="plan-pdf"),
    path("<int:pk>/goals/", plan.PlanGoalsView.as_view(), name="plan-goals"),
    path("<int:pk>/placements/new/", plan.PlacementCreateView.as_view(), name="placement-create"),
    path("<int:pk>/submit/", plan.PlanSubmitView.as_view(), name="plan-submit"),
    path("<int:pk>/tutor-approve/", plan.PlanTutorApproveView.as_view(), name="plan-tutor-approve"),
    path("<int:pk>/approve/", plan.PlanApproveView.as_view(), name="plan-approve"),
    path("<int:pk>/return/", plan.PlanReturnView.as_view(), name="plan-return"),
    path("<int:pk>/amend/", plan.PlanAmendView.as_view(), name="plan-amend"),
    path("<int:pk>/versions/", plan.PlanVersionsView.as_view(), name="plan-versions"),
    path("placements/<int:pk>/edit/", plan.PlacementUpdateView.as_view(), name="placement-edit"),
    path("placements/<int:pk>/cancel/", plan.PlacementCancelView.as_view(), name="placement-cancel"),
    path("milestones/<int:pk>/done/", plan.MilestoneDoneView.as_view(), name="milestone-done"),
    path("milestones/<int:pk>/waive/", plan.MilestoneWaiveView.as_view(), name="milestone-waive"),
    path("milestones/<int:pk>/evidence/", plan.MilestoneEvidenceView.as_view(), name="milestone-evidence"),
    path(
        "milestones/<int:pk>/evidence/download/",
        plan.MilestoneEvidenceDownloadView.as_view(),
        name="milestone-evidence-download",
    ),
    # Lists, the approval queue, and the office's import and export.
    path("", lists.StudentListView.as_view(), name="list"),
    path("at-risk/", lists.StudentAtRiskView.as_view(), name="at-risk"),
    path("approvals/", lists.ApprovalQueueView.as_view(), name="approvals"),
    path("placements/to-move/", lists.PlacementsToMoveView.as_view(), name="placements-to-move"),
    path("outcomes/", lists.OutcomesView.as_view(), name="outcomes"),
    path("<int:pk>/destination/", lists.DestinationView.as_view(), name="destination"),
    path("import/", lists.StudentImportView.as_view(), name="import"),
    path("export/", lists.StudentExportView.as_view(), name="export"),
    path("choices/<str:kind>/", lists.FilterChoicesView.as_view(), name="filter-choices"),
]
