"""Programme pages and the agreements of programmes."""

from django.urls import path

from programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.ProgrammeListView.as_view(), name="list"),
    path("<int:pk>/", views.ProgrammeDetailView.as_view(), name="detail"),
    path("<int:pk>/agreements/new/", views.AgreementCreateView.as_view(), name="agreement-create"),
    path("agreements/", views.AgreementListView.as_view(), name="agreements"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement-detail"),
    path("agreements/<int:pk>/document/", views.AgreementDocumentView.as_view(), name="agreement-document"),
    path("agreements/<int:pk>/terminate/", views.AgreementTerminateView.as_view(), name="agreement-terminate"),
]
