from django.urls import path

from partners import views

app_name = "partners"
urlpatterns = [
    path("", views.PartnerListView.as_view(), name="list"),
    path("new/", views.PartnerCreateView.as_view(), name="create"),
    path("<int:pk>/", views.PartnerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.PartnerUpdateView.as_view(), name="edit"),
    path("<int:pk>/status/", views.PartnerStatusView.as_view(), name="status"),
    path("<int:pk>/sites/new/", views.SiteCreateView.as_view(), name="site-create"),
    path("<int:pk>/members/new/", views.MembershipCreateView.as_view(), name="membership-create"),
    path("sites/<int:pk>/edit/", views.SiteUpdateView.as_view(), name="site-edit"),
    path("memberships/<int:pk>/end/", views.MembershipEndView.as_view(), name="membership-end"),
]
