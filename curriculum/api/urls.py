"""The curriculum API (courses, offerings, enrolments, grades and teachers); ``config/api_urls.py`` mounts it
under /api/v1/."""

from rest_framework.routers import SimpleRouter

from curriculum.api.views import CourseViewSet, EnrolmentViewSet, GradeViewSet, OfferingViewSet, TeacherViewSet

router = SimpleRouter()
router.register("courses", CourseViewSet, basename="course")
router.register("course-offerings", OfferingViewSet, basename="course-offering")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("grades", GradeViewSet, basename="grade")
router.register("teachers", TeacherViewSet, basename="teacher")
