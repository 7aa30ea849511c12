"""The curriculum API (courses, offerings, enrolments, grades and teachers' qualifications); ``config/api_urls.py``
mounts it under /api/v1/."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
