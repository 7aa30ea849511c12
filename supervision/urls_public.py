"""Published inspection results, without login, under /public/inspections/."""

from django.urls import URLPattern, path

from supervision.views import public

app_name = "public"
urlpatterns: list[URLPattern] = [
    path("", public.PublicInspectionListView.as_view(), name="inspection-list"),
    path("<int:pk>/", public.PublicInspectionDetailView.as_view(), name="inspection-detail"),
    path("<int:pk>/pdf/", public.PublicInspectionPdfView.as_view(), name="inspection-pdf"),
]
