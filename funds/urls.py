"""Funds pages, mounted under /funds/ by ``config/urls.py``."""

from django.urls import URLPattern, URLResolver, path

from funds import views

app_name = "funds"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.FundsDashboardView.as_view(), name="dashboard"),
    path("new/", views.FundCreateView.as_view(), name="fund-create"),
    path("<int:pk>/allocate/", views.AllocationCreateView.as_view(), name="allocation-create"),
    path("limits/", views.AuthorityLimitsView.as_view(), name="limits"),
    path("allocations/<int:pk>/revise/", views.AllocationReviseView.as_view(), name="allocation-revise"),
    path("allocations/<int:pk>/", views.AllocationDetailView.as_view(), name="allocation"),
    path("allocations/<int:pk>/spend/", views.ExpenditureCreateView.as_view(), name="expenditure-create"),
    path("partners/<int:pk>/", views.PartnerSpendingView.as_view(), name="partner"),
    path("expenditures/<int:pk>/", views.ExpenditureDetailView.as_view(), name="expenditure"),
    path("expenditures/<int:pk>/approve/", views.ExpenditureApproveView.as_view(), name="expenditure-approve"),
    path("expenditures/<int:pk>/reverse/", views.ExpenditureReverseView.as_view(), name="expenditure-reverse"),
    path("receipts/<int:pk>/", views.ReceiptDownloadView.as_view(), name="receipt"),
    path("<int:pk>/statement.pdf", views.FundStatementView.as_view(), name="fund-statement"),
    path("<int:pk>/export.xlsx", views.FundExportView.as_view(), name="fund-export"),
    path("<int:pk>/document/", views.FundDocumentView.as_view(), name="fund-document"),
    path("allocations/<int:pk>/import/", views.ExpenditureImportView.as_view(), name="import"),
    path("flags/", views.FlagListView.as_view(), name="flags"),
    path("flags/<int:pk>/resolve/", views.FlagResolveView.as_view(), name="flag-resolve"),
]
