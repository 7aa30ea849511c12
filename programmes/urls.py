"""Programme pages and the agreements of programmes."""

from django.urls import path

from programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.ProgrammeListView.as_view(), name="list"),
    path("<int:pk>/", views.ProgrammeDetailView.as_view(), name="detail"),
    path("<int:pk>/agreements/new/", views.AgreementCreateView.as_view(), name="agreement-create"),
    # Set-up (the office): the programme, its requirements, objectives, categories, cohorts and partners.
    path("new/", views.ProgrammeCreateView.as_view(), name="create"),
    path("<int:pk>/edit/", views.ProgrammeUpdateView.as_view(), name="edit"),
    path("<int:pk>/copy/", views.ProgrammeCopyView.as_view(), name="copy"),
    path("<int:pk>/requirements/", views.RequirementsView.as_view(), name="requirements"),
    path("<int:pk>/history/", views.ProgrammeHistoryView.as_view(), name="history"),
    path("<int:pk>/objectives/new/", views.ObjectiveCreateView.as_view(), name="objective-create"),
    path("objectives/<int:pk>/edit/", views.ObjectiveUpdateView.as_view(), name="objective-edit"),
    path("<int:pk>/categories/new/", views.ActivityCategoryCreateView.as_view(), name="category-create"),
    path("categories/<int:pk>/edit/", views.ActivityCategoryUpdateView.as_view(), name="category-edit"),
    path("<int:pk>/cohorts/new/", views.CohortCreateView.as_view(), name="cohort-create"),
    path("cohorts/<int:pk>/edit/", views.CohortUpdateView.as_view(), name="cohort-edit"),
    path("<int:pk>/partners/new/", views.ParticipationCreateView.as_view(), name="participation-create"),
    path("participations/<int:pk>/edit/", views.ParticipationUpdateView.as_view(), name="participation-edit"),
    path("agreements/", views.AgreementListView.as_view(), name="agreements"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement-detail"),
    path("agreements/<int:pk>/document/", views.AgreementDocumentView.as_view(), name="agreement-document"),
    path("agreements/<int:pk>/terminate/", views.AgreementTerminateView.as_view(), name="agreement-terminate"),
]
