"""The partners API: partners, sites and memberships (``config/api_urls.py`` mounts it under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from partners.api.views import MembershipViewSet, PartnerViewSet, SiteViewSet

router = SimpleRouter()
router.register("partners", PartnerViewSet, basename="partner")
router.register("sites", SiteViewSet, basename="site")
router.register("memberships", MembershipViewSet, basename="membership")
