"""Internal supervision pages (review rounds, mutual reviews, concerns and replies, supervision meetings); mounted
under /reviews/ by ``config/urls.py``."""

from django.urls import URLPattern, URLResolver, path

from reviews import views

app_name = "reviews"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ToDoView.as_view(), name="todo"),
    path("<int:pk>/", views.ReviewSubmitView.as_view(), name="review"),
    path("results/", views.ResultsView.as_view(), name="results"),
    path("sites/<int:pk>/", views.SiteHistoryView.as_view(), name="site"),
    path("sites/<int:pk>/export.csv", views.SiteExportView.as_view(), name="site-export"),
    path("rounds/", views.RoundListView.as_view(), name="rounds"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round"),
    path("rounds/<int:pk>/close/", views.RoundCloseView.as_view(), name="round-close"),
    path("rounds/<int:pk>/export.csv", views.RoundExportView.as_view(), name="round-export"),
    path("schedules/", views.ScheduleListView.as_view(), name="schedules"),
    path("schedules/new/", views.ScheduleCreateView.as_view(), name="schedule-add"),
    path("schedules/<int:pk>/", views.ScheduleUpdateView.as_view(), name="schedule"),
    path("schedules/<int:pk>/terms/new/", views.TermCreateView.as_view(), name="term-add"),
    path("terms/<int:pk>/edit/", views.TermUpdateView.as_view(), name="term-edit"),
    path("concerns/", views.ConcernListView.as_view(), name="concerns"),
    path("concerns/<int:pk>/", views.ConcernDetailView.as_view(), name="concern"),
    path("concerns/<int:pk>/reply/", views.ConcernReplyView.as_view(), name="concern-reply"),
    path("concerns/<int:pk>/escalate/", views.ConcernEscalateView.as_view(), name="concern-escalate"),
    path("concerns/<int:pk>/decide/", views.ConcernDecideView.as_view(), name="concern-decide"),
    path("meetings/", views.MeetingListView.as_view(), name="meetings"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting"),
    path("meetings/<int:pk>/answer/", views.MeetingAnswerView.as_view(), name="meeting-answer"),
    path("students/<int:pk>/meetings/new/", views.MeetingCreateView.as_view(), name="meeting-add"),
    path("actions/<int:pk>/done/", views.ActionDoneView.as_view(), name="action-done"),
]
