"""Curriculum pages: the catalogue and a course's links, a programme's curriculum with its requirement
check and coverage matrix, offerings with enrolment, the teacher's grade sheet (one by one or a file), the
faculty page and the transcript.

Views are thin: each fetches its objects through the scoped base (``core.views``; out of scope: a 404 with
the denial recorded), calls one selector or service and renders. Refusals land on the form they concern.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.pdf import render_pdf
from core.views import (
    ScopedListView,
    apply_validation_error,
    not_found,
    request_user,
    require_or_404,
    scoped_object,
    scoped_queryset,
)
from curriculum import selectors
from curriculum.forms import (
    CatalogueFilterForm,
    CourseForm,
    CourseLinkForm,
    CourseObjectiveForm,
    CurriculumEntryForm,
    EnrolForm,
    ExperienceForm,
    FacultyFilterForm,
    GradeCorrectionForm,
    GradeUploadForm,
    OfferingForm,
    PlacementObjectiveForm,
    QualificationRuleForm,
    TeacherAssignForm,
    TeacherProfileForm,
    TrainingForm,
    WithdrawForm,
)
from curriculum.models import (
    Course,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    Grade,
    Offering,
    TeacherProfile,
)
from curriculum.services import courses as course_services
from curriculum.services import grade_imports, grades, offerings, teachers
from partners import access
from partners.models import Partner, Site
from programmes.models import Objective, Programme
from students.models import Student

GRADE_UPLOAD_SALT = "curriculum.grade-upload"


def _partners_for_courses(request: HttpRequest) -> Any:
    """Partners a course may be taught by, as far as the user may hand one a course."""
    return scoped_queryset(request, Partner, "change").order_by("name")


# --- The catalogue and courses --------------------------------------------------------------------------


class CatalogueView(ScopedListView):
    """The course catalogue, with filters, and the programmes whose curriculum the user may read."""

    model = Course
    template_name = "curriculum/catalogue.html"
    context_object_name = "courses"
    paginate_by = 50

    def get_queryset(self) -> Any:
        self.filter_form = CatalogueFilterForm(self.request.GET or None, partners=Partner.objects.order_by("name"))
        return selectors.course_list(user=self.request.user, filters=self.filter_form.filters())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["programmes"] = selectors.programme_choices(user=self.request.user)
        context["can_create"] = access.can(self.request.user, "create", Course)
        context["is_office"] = access.is_office(self.request.user)
        return context


class CourseDetailView(LoginRequiredMixin, View):
    """A course: its facts, its links drawn as a small graph, its objectives and its offerings."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        course: Course = scoped_object(request, Course.objects.select_related("teaching_partner"), pk=pk)
        return render(request, "curriculum/course_detail.html", self.context(request, course))

    @staticmethod
    def context(request: HttpRequest, course: Course, **forms: Any) -> dict[str, Any]:
        """The page's context; ``forms`` are a refused form to show again (``link_form``, ``objective_form``)."""
        return {
            "course": course,
            "graph": selectors.course_graph(course=course),
            "coverage": course.coverage.select_related("objective__programme").order_by("objective__code"),
            "offerings": selectors.offering_list(user=request.user).filter(course=course),
            "can_change": access.can(request.user, "change", course),
            "link_form": forms.get("link_form")
            or CourseLinkForm(courses=Course.objects.exclude(pk=course.pk).order_by("code")),
            "objective_form": forms.get("objective_form") or CourseObjectiveForm(objectives=_objectives()),
        }


def _objectives() -> Any:
    """Every programme's objectives, for mapping a course to them (a course may serve several programmes)."""
    return Objective.objects.select_related("programme").order_by("programme__code", "code")


class CourseObjectiveView(LoginRequiredMixin, View):
    """POST: the level at which the course addresses an objective (or none); whoever may change the course.
    The coverage matrix reads these levels."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        course: Course = scoped_object(request, Course.objects.select_related("teaching_partner"), "change", pk=pk)
        form = CourseObjectiveForm(request.POST, objectives=_objectives())
        if form.is_valid():
            try:
                course_services.course_objective_set(
                    course=course,
                    objective=form.cleaned_data["objective"],
                    level=form.cleaned_data["level"],
                    by=request_user(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The objective's level is saved."))
                return redirect("curriculum:course-detail", course.pk)
        context = CourseDetailView.context(request, course, objective_form=form)
        return render(request, "curriculum/course_detail.html", context)


class CourseFormView(LoginRequiredMixin, View):
    """Add a course (the office) or change one (the office; the coordinators of its teaching partner)."""

    def _course(self, request: HttpRequest, pk: int | None) -> Course | None:
        if pk is None:
            require_or_404(request, "create", Course)
            return None
        return scoped_object(request, Course, "change", pk=pk)

    def _render(self, request: HttpRequest, form: CourseForm, course: Course | None) -> HttpResponse:
        return render(request, "curriculum/course_form.html", {"form": form, "course": course})

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        course = self._course(request, pk)
        return self._render(request, CourseForm(instance=course, partners=_partners_for_courses(request)), course)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        course = self._course(request, pk)
        form = CourseForm(request.POST, instance=course, partners=_partners_for_courses(request))
        if form.is_valid():
            by = request_user(request)
            try:
                if course is None:
                    course = course_services.course_create(data=form.cleaned_data, by=by)
                else:
                    course = course_services.course_update(course=course, data=form.cleaned_data, by=by)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Course %(code)s saved.") % {"code": course.code})
                return redirect("curriculum:course-detail", course.pk)
        return self._render(request, form, course)


class CourseLinkView(LoginRequiredMixin, View):
    """POST: link the course to another (prerequisite or integrates); a cycle is refused on the page."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        course: Course = scoped_object(request, Course, "change", pk=pk)
        form = CourseLinkForm(request.POST, courses=Course.objects.exclude(pk=course.pk).order_by("code"))
        if form.is_valid():
            try:
                course_services.course_link_add(
                    course=course,
                    other=form.cleaned_data["other"],
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                    by=request_user(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Link added."))
                return redirect("curriculum:course-detail", course.pk)
        context = CourseDetailView.context(request, course, link_form=form)
        return render(request, "curriculum/course_detail.html", context, status=200)


# --- A programme's curriculum and coverage -------------------------------------------------------------


class CurriculumView(LoginRequiredMixin, View):
    """A programme's curriculum by term, checked against its credit requirements; the office adds courses."""

    def _programme(self, request: HttpRequest, pk: int) -> Programme:
        programme: Programme = scoped_object(request, Programme, "view_curriculum", pk=pk)
        return programme

    def _render(
        self,
        request: HttpRequest,
        programme: Programme,
        form: CurriculumEntryForm | None,
        rule_form: QualificationRuleForm | None = None,
    ) -> HttpResponse:
        rule = teachers.rule_for(programme)
        if rule_form is None and form is not None:
            rule_form = QualificationRuleForm(
                initial={"training_years": rule.training_years, "experience_years": rule.experience_years}
            )
        context = {
            "programme": programme,
            "check": selectors.curriculum_check(programme=programme),
            "form": form,
            "rule": rule,
            "rule_form": rule_form,
        }
        return render(request, "curriculum/curriculum.html", context)

    def _form(self, request: HttpRequest, programme: Programme, data: Any = None) -> CurriculumEntryForm | None:
        if not access.can(request.user, "manage_curriculum", programme):
            return None
        return CurriculumEntryForm(data, courses=Course.objects.filter(status=CourseStatus.ACTIVE).order_by("code"))

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        programme = self._programme(request, pk)
        return self._render(request, programme, self._form(request, programme))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        programme: Programme = scoped_object(request, Programme, "manage_curriculum", pk=pk)
        if request.POST.get("form") == "rule":
            rule_form = QualificationRuleForm(request.POST)
            if rule_form.is_valid():
                try:
                    teachers.qualification_rule_set(
                        programme=programme, by=request_user(request), **rule_form.cleaned_data
                    )
                except ValidationError as error:
                    apply_validation_error(rule_form, error)
                else:
                    messages.success(request, _("The qualification rule is saved."))
                    return redirect("curriculum:curriculum", programme.pk)
            return self._render(request, programme, self._form(request, programme), rule_form)
        form = self._form(request, programme, request.POST)
        assert form is not None
        if form.is_valid():
            try:
                course_services.curriculum_entry_set(programme=programme, by=request_user(request), **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The curriculum is saved."))
                return redirect("curriculum:curriculum", programme.pk)
        return self._render(request, programme, form)


class CoverageView(LoginRequiredMixin, View):
    """Objectives against courses and placements, with the flags; the office sets a placement's levels."""

    def _form(self, request: HttpRequest, programme: Programme, data: Any = None) -> PlacementObjectiveForm | None:
        if not access.can(request.user, "manage_curriculum", programme):
            return None
        return PlacementObjectiveForm(
            data,
            placements=selectors.placement_choices(user=request.user, programme=programme),
            objectives=programme.objectives.order_by("code"),
        )

    def _render(self, request: HttpRequest, programme: Programme, form: PlacementObjectiveForm | None) -> HttpResponse:
        context = {"programme": programme, "matrix": selectors.coverage_matrix(programme=programme), "form": form}
        return render(request, "curriculum/coverage.html", context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        programme: Programme = scoped_object(request, Programme, "view_curriculum", pk=pk)
        return self._render(request, programme, self._form(request, programme))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        programme: Programme = scoped_object(request, Programme, "manage_curriculum", pk=pk)
        form = self._form(request, programme, request.POST)
        assert form is not None
        if form.is_valid():
            try:
                course_services.placement_objective_set(by=request_user(request), **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The placement's level is saved."))
                return redirect("curriculum:coverage", programme.pk)
        return self._render(request, programme, form)


class CoverageExportView(LoginRequiredMixin, View):
    """The coverage matrix as an XLSX workbook."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from curriculum.exports import coverage_xlsx

        programme: Programme = scoped_object(request, Programme, "view_curriculum", pk=pk)
        data = coverage_xlsx(selectors.coverage_matrix(programme=programme))
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", programme.code)
        response["Content-Disposition"] = f'attachment; filename="coverage-{safe}.xlsx"'
        return response


# --- Offerings and enrolment ---------------------------------------------------------------------------


class OfferingListView(ScopedListView):
    """Offerings the user may see; a student sees their programme's, with an Enrol button or the reason
    they cannot."""

    model = Offering
    template_name = "curriculum/offerings.html"
    context_object_name = "offerings"
    paginate_by = 50

    def get_queryset(self) -> Any:
        filters = {"term": self.request.GET.get("term", ""), "teaching": self.request.GET.get("teaching") == "1"}
        return selectors.offering_list(user=self.request.user, filters=filters)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["mine"] = selectors.own_enrolments(user=self.request.user)
        context["can_create"] = access.can(self.request.user, "create", Offering)
        context["term"] = self.request.GET.get("term", "")
        return context


class OfferingCreateView(LoginRequiredMixin, View):
    """The office offers a course in a term."""

    def _form(self, request: HttpRequest, data: Any = None) -> OfferingForm:
        return OfferingForm(
            data,
            courses=Course.objects.filter(status=CourseStatus.ACTIVE).order_by("code"),
            programmes=Programme.objects.order_by("name"),
            sites=Site.objects.filter(is_active=True).select_related("partner").order_by("partner__name", "name"),
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "create", Offering)
        return render(request, "curriculum/offering_form.html", {"form": self._form(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "create", Offering)
        form = self._form(request, request.POST)
        if form.is_valid():
            try:
                offering = offerings.offering_create(data=form.cleaned_data, by=request_user(request))
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                return redirect("curriculum:offering-detail", offering.pk)
        return render(request, "curriculum/offering_form.html", {"form": form})


def _offering(request: HttpRequest, pk: int, action: str = "view") -> Offering:
    offering: Offering = scoped_object(
        request, Offering.objects.select_related("course", "site__partner", "programme"), action, pk=pk
    )
    return offering


class OfferingDetailView(LoginRequiredMixin, View):
    """An offering: schedule, teachers (flagged overrides), and the enrolments the reader may see."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        offering = _offering(request, pk)
        return render(request, "curriculum/offering_detail.html", self.context(request, offering))

    @staticmethod
    def context(request: HttpRequest, offering: Offering, **extra: Any) -> dict[str, Any]:
        user = request.user
        student = Student.objects.filter(user__pk=access.user_pk(user)).first()
        refusal = None
        if student is not None:
            error = offerings.enrolment_refusal(offering=offering, student=student, today=timezone.localdate())
            refusal = error.messages[0] if isinstance(error, ValidationError) else None
        can_change = access.can(user, "change", offering)
        context = {
            "offering": offering,
            "assignments": offering.teachers.select_related("teacher__user", "teacher__partner"),
            "enrolments": selectors.enrolment_list(user=user, offering=offering).filter(
                status=EnrolmentStatus.ENROLLED
            ),
            "student": student,
            "mine": selectors.own_enrolments(user=user).get(offering.pk),
            "withdrawals": selectors.withdrawal_list(user=user, offering=offering),
            "refusal": refusal,
            "can_grade": access.can(user, "grade", offering),
            "can_change": can_change,
            "is_office": access.is_office(user),
            "enrol_form": EnrolForm() if access.is_office(user) else None,
            "assign_form": TeacherAssignForm(
                teachers=scoped_queryset(request, TeacherProfile.objects.select_related("user"))
            )
            if can_change
            else None,
        }
        context.update(extra)
        return context


class EnrolView(LoginRequiredMixin, View):
    """POST: a student enrols themself; the office enrols the student it names. A refusal says why."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        offering = _offering(request, pk, "enrol")
        by = request_user(request)
        form = EnrolForm(request.POST)
        form.is_valid()
        number = (form.cleaned_data.get("student_number") or "").strip()
        if number and access.is_office(by):
            student = Student.objects.filter(student_number=number).first()
            if student is None:
                form.add_error("student_number", _("No student has this number."))
                return self._refused(request, offering, form)
        else:
            student = Student.objects.filter(user=by).first()
            if student is None:
                raise not_found(request, "enrol", f"Offering:{pk}")
        try:
            offerings.enrolment_create(offering=offering, student=student, by=by)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self._refused(request, offering, form)
        messages.success(
            request,
            _("%(name)s is enrolled in %(code)s.") % {"name": student.user.display_name, "code": offering.course.code},
        )
        return redirect("curriculum:offering-detail", offering.pk)

    def _refused(self, request: HttpRequest, offering: Offering, form: EnrolForm) -> HttpResponse:
        errors = [str(e) for e in form.non_field_errors()] + [str(e) for e in form.errors.get("student_number", [])]
        context = OfferingDetailView.context(request, offering, enrol_errors=errors)
        if context["enrol_form"] is not None:
            context["enrol_form"] = form
        return render(request, "curriculum/offering_detail.html", context, status=200)


class WithdrawView(LoginRequiredMixin, View):
    """Withdraw from an offering: the student themself, or the office for a student. GET asks for the
    reason and a confirmation; POST withdraws, or says why it cannot (graded, withdrawn already)."""

    def _enrolment(self, request: HttpRequest, pk: int) -> Enrolment:
        enrolment: Enrolment = scoped_object(
            request,
            Enrolment.objects.select_related("offering__course", "offering__site__partner", "student__user", "grade"),
            "withdraw",
            pk=pk,
        )
        return enrolment

    def _render(self, request: HttpRequest, enrolment: Enrolment, form: WithdrawForm) -> HttpResponse:
        context = {
            "enrolment": enrolment,
            "offering": enrolment.offering,
            "form": form,
            "own": enrolment.student.user_id == access.user_pk(request.user),
            "withdrawals": enrolment.withdrawals.select_related("by"),
        }
        return render(request, "curriculum/withdraw.html", context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._enrolment(request, pk), WithdrawForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        enrolment = self._enrolment(request, pk)
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                offerings.enrolment_withdraw(
                    enrolment=enrolment, by=request_user(request), reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is withdrawn from %(code)s; the reason is kept.")
                    % {"name": enrolment.student.user.display_name, "code": enrolment.offering.course.code},
                )
                return redirect("curriculum:offering-detail", enrolment.offering_id)
        return self._render(request, enrolment, form)


class TeacherAssignView(LoginRequiredMixin, View):
    """POST: assign a teacher to the offering; an unqualified teacher of an I&E course needs the
    office's override with a reason."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        offering = _offering(request, pk, "change")
        form = TeacherAssignForm(
            request.POST, teachers=scoped_queryset(request, TeacherProfile.objects.select_related("user"))
        )
        if form.is_valid():
            try:
                teachers.offering_teacher_assign(
                    offering=offering,
                    teacher=form.cleaned_data["teacher"],
                    hours=form.cleaned_data["hours"],
                    override_reason=form.cleaned_data["override_reason"],
                    by=request_user(request),
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Teacher assigned."))
                return redirect("curriculum:offering-detail", offering.pk)
        context = OfferingDetailView.context(request, offering, assign_form=form)
        return render(request, "curriculum/offering_detail.html", context)


# --- Grades ---------------------------------------------------------------------------------------------


class GradeSheetView(LoginRequiredMixin, View):
    """The teacher's grade sheet: one row per enrolled student; save drafts or submit (then locked).
    A file upload goes through a preview first."""

    def _render(self, request: HttpRequest, offering: Offering, **extra: Any) -> HttpResponse:
        enrolments = list(
            selectors.enrolment_list(user=request.user, offering=offering).filter(status=EnrolmentStatus.ENROLLED)
        )
        context = {
            "offering": offering,
            "enrolments": enrolments,
            "upload_form": GradeUploadForm(),
            "errors": {},
            "values": {},
            **extra,
        }
        return render(request, "curriculum/grade_sheet.html", context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, _offering(request, pk, "grade"))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        offering = _offering(request, pk, "grade")
        by = request_user(request)
        submit = request.POST.get("action") == "submit"
        errors: dict[int, str] = {}
        values: dict[int, str] = {}
        enrolments = selectors.enrolment_list(user=by, offering=offering).filter(status=EnrolmentStatus.ENROLLED)
        entered = 0
        for enrolment in enrolments:
            text = request.POST.get(f"grade-{enrolment.pk}", "").strip()
            grade = getattr(enrolment, "grade", None)
            if grade is not None and grade.is_locked:
                continue
            values[enrolment.pk] = text
            if not text:
                if submit and grade is not None:
                    continue
                continue
            try:
                percentage, passed = grades.parse_grade(text, offering.course)
                grades.grade_record(enrolment=enrolment, by=by, percentage=percentage, passed=passed)
                entered += 1
            except ValidationError as error:
                errors[enrolment.pk] = error.messages[0]
        if errors:
            return self._render(request, offering, errors=errors, values=values)
        if submit:
            count = grades.grades_submit(offering=offering, by=by)
            messages.success(request, _("%(count)s grades submitted; they are locked now.") % {"count": count})
        else:
            messages.success(request, _("%(count)s grades saved as drafts.") % {"count": entered})
        return redirect("curriculum:grade-sheet", offering.pk)


class GradeUploadView(LoginRequiredMixin, View):
    """POST a file: the preview with each row's errors. POST ``confirm`` with the signed file: import
    every row, or none."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        offering = _offering(request, pk, "grade")
        by = request_user(request)
        token = request.POST.get("token")
        form = GradeUploadForm(request.POST, request.FILES)
        if token:
            try:
                payload = signing.loads(token, salt=GRADE_UPLOAD_SALT, max_age=3600)
                data = bytes.fromhex(payload["data"])
                if payload.get("by") != by.pk or payload.get("offering") != offering.pk:
                    raise signing.BadSignature
            except (signing.BadSignature, KeyError, ValueError):
                messages.error(request, _("This preview has expired or is not yours: upload the file again."))
                return redirect("curriculum:grade-sheet", offering.pk)
            try:
                count = grade_imports.grade_import(
                    offering=offering, data=data, by=by, submit=request.POST.get("submit") == "1"
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("curriculum:grade-sheet", offering.pk)
            messages.success(request, _("%(count)s grades imported.") % {"count": count})
            return redirect("curriculum:grade-sheet", offering.pk)
        if not form.is_valid():
            return GradeSheetView()._render(request, offering, upload_form=form)
        data = form.cleaned_data["file"].read()
        try:
            preview = grade_imports.grade_import_preview(offering=offering, data=data, by=by)
        except ValidationError as error:
            apply_validation_error(form, error)
            return GradeSheetView()._render(request, offering, upload_form=form)
        signed = signing.dumps({"data": data.hex(), "by": by.pk, "offering": offering.pk}, salt=GRADE_UPLOAD_SALT)
        return render(
            request, "curriculum/grade_preview.html", {"offering": offering, "preview": preview, "token": signed}
        )


class GradeCorrectView(LoginRequiredMixin, View):
    """Correct a submitted grade, with a reason; the corrections so far."""

    def _grade(self, request: HttpRequest, pk: int) -> Grade:
        grade: Grade = scoped_object(
            request,
            Grade.objects.select_related("enrolment__offering__course", "enrolment__student__user"),
            "correct",
            pk=pk,
        )
        return grade

    def _render(self, request: HttpRequest, grade: Grade, form: GradeCorrectionForm) -> HttpResponse:
        context = {"grade": grade, "form": form, "corrections": grade.corrections.select_related("by")}
        return render(request, "curriculum/grade_correct.html", context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        grade = self._grade(request, pk)
        return self._render(request, grade, GradeCorrectionForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        grade = self._grade(request, pk)
        form = GradeCorrectionForm(request.POST)
        if form.is_valid():
            try:
                course = grade.enrolment.offering.course
                percentage, passed = grades.parse_grade(form.cleaned_data["grade"], course)
                grades.grade_correct(
                    grade=grade,
                    by=request_user(request),
                    reason=form.cleaned_data["reason"],
                    percentage=percentage,
                    passed=passed,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The grade is corrected; the correction is kept with its reason."))
                return redirect("curriculum:grade-sheet", grade.enrolment.offering_id)
        return self._render(request, grade, form)


# --- Teachers and the faculty page ---------------------------------------------------------------------


class TeacherListView(ScopedListView):
    """Teachers the user may see, with their qualification under the default rule."""

    model = TeacherProfile
    template_name = "curriculum/teachers.html"
    context_object_name = "teachers"

    def get_queryset(self) -> Any:
        return selectors.teacher_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from curriculum.models import QualificationRule
        from curriculum.services.teachers import qualification_of

        context = super().get_context_data(**kwargs)
        context["can_create"] = access.can(self.request.user, "create", TeacherProfile)
        today, rule = timezone.localdate(), QualificationRule()
        context["rows"] = [
            (t, qualification_of(trainings=t.trainings.all(), experience=t.experience.all(), rule=rule, today=today))
            for t in context["teachers"]
        ]
        return context


class TeacherDetailView(LoginRequiredMixin, View):
    """A teacher: I&E training (with certificates), experience, research fields, what they teach; the
    office, their partner's coordinators and the teacher add training and experience."""

    def _teacher(self, request: HttpRequest, pk: int, action: str = "view") -> TeacherProfile:
        teacher: TeacherProfile = scoped_object(
            request, TeacherProfile.objects.select_related("user", "partner"), action, pk=pk
        )
        return teacher

    def _render(self, request: HttpRequest, teacher: TeacherProfile, **forms: Any) -> HttpResponse:
        context = {
            "teacher": teacher,
            "qualification": teachers.teacher_qualification(teacher=teacher, programme=None),
            "trainings": teacher.trainings.all(),
            "experience": teacher.experience.all(),
            "assignments": teacher.assignments.select_related("offering__course").order_by("-offering__term"),
            "can_change": access.can(request.user, "change", teacher),
            "training_form": forms.get("training_form") or TrainingForm(),
            "experience_form": forms.get("experience_form") or ExperienceForm(),
        }
        return render(request, "curriculum/teacher_detail.html", context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._teacher(request, pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        teacher = self._teacher(request, pk, "change")
        by = request_user(request)
        if request.POST.get("add") == "experience":
            form: Any = ExperienceForm(request.POST)
            key = "experience_form"
            if form.is_valid():
                try:
                    teachers.teacher_experience_add(teacher=teacher, by=by, **form.cleaned_data)
                except ValidationError as error:
                    apply_validation_error(form, error)
        else:
            form = TrainingForm(request.POST, request.FILES)
            key = "training_form"
            if form.is_valid():
                try:
                    teachers.teacher_training_add(teacher=teacher, by=by, **form.cleaned_data)
                except ValidationError as error:
                    apply_validation_error(form, error)
        if form.is_valid() and not form.errors:
            messages.success(request, _("Saved."))
            return redirect("curriculum:teacher-detail", teacher.pk)
        return self._render(request, teacher, **{key: form})


class TeacherFormView(LoginRequiredMixin, View):
    """Make someone a teacher (the office), or change a teacher's profile (the office; the coordinators
    of the teacher's partner; the teacher). Only the office puts a teacher at another partner. I&E
    training and experience, from which the qualification follows, are added on the teacher's page."""

    def _teacher(self, request: HttpRequest, pk: int | None) -> TeacherProfile | None:
        if pk is None:
            require_or_404(request, "create", TeacherProfile)
            return None
        teacher: TeacherProfile = scoped_object(
            request, TeacherProfile.objects.select_related("user", "partner"), "change", pk=pk
        )
        return teacher

    def _form(self, request: HttpRequest, teacher: TeacherProfile | None, data: Any = None) -> TeacherProfileForm:
        if access.is_office(request.user):
            partners = Partner.objects.order_by("name")
        else:
            assert teacher is not None  # only the office makes teachers
            partners = Partner.objects.filter(pk=teacher.partner_id)
        initial = {}
        if teacher is not None:
            initial = {
                "partner": teacher.partner_id,
                "position": teacher.position,
                "research_fields": teacher.research_fields,
            }
        users = selectors.teacher_person_choices() if teacher is None else None
        return TeacherProfileForm(data, initial=initial, partners=partners, users=users)

    def _render(self, request: HttpRequest, form: TeacherProfileForm, teacher: TeacherProfile | None) -> HttpResponse:
        return render(request, "curriculum/teacher_form.html", {"form": form, "teacher": teacher})

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        teacher = self._teacher(request, pk)
        return self._render(request, self._form(request, teacher), teacher)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        teacher = self._teacher(request, pk)
        form = self._form(request, teacher, request.POST)
        if form.is_valid():
            by = request_user(request)
            data = form.cleaned_data
            try:
                if teacher is None:
                    teacher = teachers.teacher_profile_create(by=by, **data)
                    message = _(
                        "%(name)s is a teacher now. Add their I&E training and experience: the qualification "
                        "for I&E teaching follows from them."
                    )
                else:
                    teacher = teachers.teacher_profile_update(teacher=teacher, by=by, **data)
                    message = _("The profile of %(name)s is saved.")
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, message % {"name": teacher.user.display_name})
                return redirect("curriculum:teacher-detail", teacher.pk)
        return self._render(request, form, teacher)


class FacultyView(LoginRequiredMixin, View):
    """The office's faculty page: the share of I&E teaching hours by qualified teachers, by partner and
    term; the overrides; the teachers due for training."""

    def get(self, request: HttpRequest) -> HttpResponse:
        require_or_404(request, "view_faculty", TeacherProfile)
        form = FacultyFilterForm(request.GET or None, user=request.user)
        filters = form.filters()  # a bad value is the field's error, and that filter is left out
        context = {
            "faculty": selectors.faculty_overview(programme=filters.get("programme"), year=filters.get("year")),
            "can_create": access.can(request.user, "create", TeacherProfile),
            "filter_form": form,
            "filtered": bool(filters),
        }
        return render(request, "curriculum/faculty.html", context)


# --- Transcript -----------------------------------------------------------------------------------------


def _transcript_student(request: HttpRequest, pk: int) -> Student:
    student: Student = scoped_object(
        request, Student.objects.select_related("user", "programme", "cohort"), "view_transcript", pk=pk
    )
    return student


def _transcript_context(student: Student) -> dict[str, Any]:
    rows = selectors.transcript(student=student)
    earned = sum((e.offering.course.credits for e in rows if e.grade.passed), start=0)
    credit_rows, _whole = selectors.credits_earned(user=student.user, student=student)
    return {
        "student": student,
        "rows": rows,
        "total": earned,
        "credit_rows": credit_rows,
        "today": timezone.localdate(),
    }


class TranscriptView(LoginRequiredMixin, View):
    """A student's transcript: the office, the student, their tutor."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "curriculum/transcript.html", _transcript_context(_transcript_student(request, pk)))


class TranscriptPdfView(LoginRequiredMixin, View):
    """The transcript as a PDF (Chinese titles included), rendered by ``core.pdf``."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        student = _transcript_student(request, pk)
        pdf = render_pdf("curriculum/pdf/transcript.html", _transcript_context(student))
        response = HttpResponse(pdf, content_type="application/pdf")
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", student.student_number)
        response["Content-Disposition"] = f'attachment; filename="transcript-{safe}.pdf"'
        return response


class MyTranscriptView(LoginRequiredMixin, View):
    """The signed-in student's own transcript."""

    def get(self, request: HttpRequest) -> HttpResponse:
        student = Student.objects.filter(user__pk=access.user_pk(request.user)).first()
        if student is None:
            raise not_found(request, "view_transcript", "Student:mine")
        return HttpResponseRedirect(reverse("curriculum:transcript", args=[student.pk]))
