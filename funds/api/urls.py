"""The funds API (``config/api_urls.py`` mounts it under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from funds.api.views import AllocationViewSet, ExpenditureViewSet, FlagViewSet, FundViewSet

router = SimpleRouter()
router.register("funds", FundViewSet, basename="fund")
router.register("allocations", AllocationViewSet, basename="allocation")
router.register("expenditures", ExpenditureViewSet, basename="expenditure")
router.register("fund-flags", FlagViewSet, basename="fund-flag")
