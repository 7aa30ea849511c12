"""Inspection pages: partner scorecards and the office's probation decisions (see supervision/urls.py)."""

from django.urls import URLPattern, path

from supervision.views.scorecard import ProbationDecideView, ScorecardDetailView, ScorecardListView

urlpatterns: list[URLPattern] = [
    path("scorecards/", ScorecardListView.as_view(), name="scorecards"),
    path("scorecards/<int:pk>/", ScorecardDetailView.as_view(), name="scorecard"),
    path("scorecards/<int:pk>/probation/", ProbationDecideView.as_view(), name="probation-decide"),
]
