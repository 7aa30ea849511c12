"""The funds API (training funds, allocations, expenditures, authority limits and flags); ``config/api_urls.py``
mounts it under /api/v1/."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
