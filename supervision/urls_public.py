"""Published inspection results, without login, under /public/inspections/."""

from django.urls import URLPattern

app_name = "public"
urlpatterns: list[URLPattern] = []
