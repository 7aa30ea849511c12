from django.urls import path

from core.views import NotificationListView, NotificationReadView, NotificationsReadAllView, StartView

app_name = "core"
urlpatterns = [
    path("", StartView.as_view(), name="start"),
    path("notifications/", NotificationListView.as_view(), name="notifications"),
    path("notifications/<int:pk>/read/", NotificationReadView.as_view(), name="notification-read"),
    path("notifications/read-all/", NotificationsReadAllView.as_view(), name="notifications-read-all"),
]
