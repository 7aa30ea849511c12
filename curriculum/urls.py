"""Curriculum pages (courses, offerings, enrolments, grades and teachers' qualifications); mounted under
/curriculum/ by ``config/urls.py``."""

from django.urls import path

from curriculum import views

app_name = "curriculum"
urlpatterns = [
    path("", views.CatalogueView.as_view(), name="catalogue"),
    path("courses/new/", views.CourseFormView.as_view(), name="course-create"),
    path("courses/<int:pk>/", views.CourseDetailView.as_view(), name="course-detail"),
    path("courses/<int:pk>/edit/", views.CourseFormView.as_view(), name="course-edit"),
    path("courses/<int:pk>/links/", views.CourseLinkView.as_view(), name="course-link"),
    path("courses/<int:pk>/objectives/", views.CourseObjectiveView.as_view(), name="course-objective"),
    path("programmes/<int:pk>/", views.CurriculumView.as_view(), name="curriculum"),
    path("programmes/<int:pk>/coverage/", views.CoverageView.as_view(), name="coverage"),
    path("programmes/<int:pk>/coverage.xlsx", views.CoverageExportView.as_view(), name="coverage-export"),
    path("offerings/", views.OfferingListView.as_view(), name="offerings"),
    path("offerings/new/", views.OfferingCreateView.as_view(), name="offering-create"),
    path("offerings/<int:pk>/", views.OfferingDetailView.as_view(), name="offering-detail"),
    path("offerings/<int:pk>/enrol/", views.EnrolView.as_view(), name="enrol"),
    path("offerings/<int:pk>/teachers/", views.TeacherAssignView.as_view(), name="offering-teacher"),
    path("offerings/<int:pk>/grades/", views.GradeSheetView.as_view(), name="grade-sheet"),
    path("offerings/<int:pk>/grades/upload/", views.GradeUploadView.as_view(), name="grade-upload"),
    path("grades/<int:pk>/correct/", views.GradeCorrectView.as_view(), name="grade-correct"),
    path("enrolments/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path("teachers/", views.TeacherListView.as_view(), name="teachers"),
    path("teachers/new/", views.TeacherFormView.as_view(), name="teacher-create"),
    path("teachers/<int:pk>/", views.TeacherDetailView.as_view(), name="teacher-detail"),
    path("teachers/<int:pk>/edit/", views.TeacherFormView.as_view(), name="teacher-edit"),
    path("faculty/", views.FacultyView.as_view(), name="faculty"),
    path("transcript/", views.MyTranscriptView.as_view(), name="transcript-mine"),
    path("students/<int:pk>/transcript/", views.TranscriptView.as_view(), name="transcript"),
    path("students/<int:pk>/transcript.pdf", views.TranscriptPdfView.as_view(), name="transcript-pdf"),
]
