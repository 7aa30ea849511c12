"""Wellbeing pages (check-ins, counselling, appointments and encrypted notes); mounted under /wellbeing/ by
``config/urls.py``."""

from django.urls import URLPattern, URLResolver, path

from wellbeing import views

app_name = "wellbeing"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.HomeView.as_view(), name="home"),
    path("check-in/", views.CheckInView.as_view(), name="check-in"),
    path("help/", views.HelpView.as_view(), name="help"),
    path("history/", views.HistoryView.as_view(), name="history"),
    path("access-log/", views.AccessLogView.as_view(), name="access-log"),
    path("request/", views.RequestView.as_view(), name="request"),
    path("requests/<int:pk>/withdraw/", views.RequestWithdrawView.as_view(), name="request-withdraw"),
    path("requests/<int:pk>/take/", views.RequestTakeView.as_view(), name="request-take"),
    path("book/", views.BookView.as_view(), name="book"),
    path("appointments/<int:pk>/cancel/", views.AppointmentCancelView.as_view(), name="appointment-cancel"),
    path("shared/<int:pk>/", views.SharedView.as_view(), name="shared"),
    path("consents/<int:pk>/withdraw/", views.ConsentWithdrawView.as_view(), name="consent-withdraw"),
    path("counsellor/", views.DashboardView.as_view(), name="dashboard"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("counsellor/duty/", views.DutyView.as_view(), name="duty"),
    path("slots/<int:pk>/withdraw/", views.SlotWithdrawView.as_view(), name="slot-withdraw"),
    path("cases/<int:pk>/", views.CaseView.as_view(), name="case"),
    path("cases/<int:pk>/note/", views.CaseView.as_view(action="note"), name="case-note"),
    path("cases/<int:pk>/consent/", views.CaseView.as_view(action="consent"), name="case-consent"),
    path("cases/<int:pk>/share/", views.CaseView.as_view(action="share"), name="case-share"),
    path("cases/<int:pk>/refer/", views.CaseView.as_view(action="refer"), name="case-refer"),
    path("cases/<int:pk>/close/", views.CaseView.as_view(action="close"), name="case-close"),
    path("cases/<int:pk>/break-glass/", views.BreakGlassView.as_view(), name="case-break-glass"),
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("hotlines/", views.HotlinesView.as_view(), name="hotlines"),
    path("hotlines/<int:pk>/remove/", views.HotlineRemoveView.as_view(), name="hotline-remove"),
]
