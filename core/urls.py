from django.urls import path

from core.views import StartView

app_name = "core"
urlpatterns = [
    path("", StartView.as_view(), name="start"),
]
