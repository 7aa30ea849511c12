"""The project board: a project's managers post open places, students ask to join, the leader answers.

Accepting a request makes the student a participant of the project (while places are left); every answer
is kept with who gave it and when, and the student is told.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.services.notifications import notify
from core.validation import refuse
from partners import access
from projects.models import (
    BoardPost,
    JoinRequest,
    MemberKind,
    MemberRole,
    Project,
    ProjectMember,
    RequestStatus,
)
from projects.services.projects import OPEN_STATUSES, current_status
from students.models import Student


def places_left(post: BoardPost) -> int:
    """Open places: the places offered less the requests accepted."""
    accepted = post.requests.filter(status=RequestStatus.ACCEPTED).count()
    return max(0, post.places - accepted)


def post_create(*, project: Project, places: int, by: User, skills_wanted: str = "", pitch: str = "") -> BoardPost:
    """Offer places on an open project on the board."""
    access.require(by, "manage", project)
    if current_status(project) not in OPEN_STATUSES:
        raise refuse("project", "project_closed", _("The project is closed."))
    if places < 1:
        raise refuse("places", "places_min", _("Offer at least one place."))
    return BoardPost.objects.create(
        project=project, places=places, skills_wanted=skills_wanted.strip(), pitch=pitch.strip(), posted_by=by
    )


def post_close(*, post: BoardPost, by: User) -> BoardPost:
    """Take a post off the board; pending requests stay to be answered."""
    access.require(by, "change", post)
    with transaction.atomic():
        locked = BoardPost.objects.select_for_update().get(pk=post.pk)
        locked.is_open = False
        locked.save()
    return locked


def join_request_create(*, post: BoardPost, by: User, message: str = "") -> JoinRequest:
    """A student asks to join the project of an open post (once at a time; not if already on it)."""
    access.require(by, "view", post)
    student = Student.objects.filter(user=by).only("programme_id").first()
    if student is None:
        raise refuse("post", "students_only", _("Only students ask to join a project from the board."))
    with transaction.atomic():
        locked = BoardPost.objects.select_for_update(of=("self",)).select_related("project").get(pk=post.pk)
        project = locked.project
        if not locked.is_open or project.status not in OPEN_STATUSES:
            raise refuse("post", "post_closed", _("This post is closed."))
        if student.programme_id != project.programme_id:
            raise refuse("post", "other_programme", _("This project belongs to another programme."))
        if ProjectMember.objects.filter(project=project, user=by).exists():
            raise refuse("post", "already_member", _("You are already on this project."))
        if JoinRequest.objects.filter(post=locked, student=by, status=RequestStatus.PENDING).exists():
            raise refuse("post", "already_requested", _("You have already asked to join."))
        request = JoinRequest.objects.create(post=locked, student=by, message=message.strip())
        notify(
            users=[project.leader],
            kind="project_join_request",
            subject=gettext_noop("A student asks to join %(title)s"),
            params={"title": project.title_en},
            link=reverse("projects:detail", args=[project.pk]),
        )
    return request


def join_request_answer(*, request: JoinRequest, accept: bool, by: User, answer: str = "") -> JoinRequest:
    """The leader (or another of the project's managers) accepts or declines a pending request. Accepting
    adds the student as a participant, while places are left; declining needs a word of explanation."""
    access.require(by, "answer", request)
    if not accept and not answer.strip():
        raise refuse("answer", "reason_required", _("Tell the student why not."))
    with transaction.atomic():
        locked = (
            JoinRequest.objects.select_for_update(of=("self",))
            .select_related("post__project", "student")
            .get(pk=request.pk)
        )
        post = BoardPost.objects.select_for_update().get(pk=locked.post_id)
        project = locked.post.project
        if locked.status != RequestStatus.PENDING:
            raise refuse("status", "already_answered", _("This request was already answered."))
        if accept:
            if project.status not in OPEN_STATUSES:
                raise refuse("status", "project_closed", _("The project is closed."))
            if places_left(post) < 1:
                raise refuse("status", "no_places", _("No places are left."))
            if not ProjectMember.objects.filter(project=project, user=locked.student).exists():
                ProjectMember.objects.create(
                    project=project,
                    user=locked.student,
                    kind=MemberKind.STUDENT,
                    role=MemberRole.PARTICIPANT,
                    added_by=by,
                )
        locked.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
        locked.answer = answer.strip()
        locked.answered_by = by
        locked.answered_at = timezone.now()
        locked.save()
        notify(
            users=[locked.student],
            kind="project_join_answer",
            subject=gettext_noop("Your request to join %(title)s was answered"),
            params={"title": project.title_en},
            link=reverse("projects:board"),
        )
    return locked


def join_request_withdraw(*, request: JoinRequest, by: User) -> JoinRequest:
    """The student takes back a request not yet answered."""
    access.require(by, "withdraw", request)
    with transaction.atomic():
        locked = JoinRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != RequestStatus.PENDING:
            raise refuse("status", "already_answered", _("This request was already answered."))
        locked.status = RequestStatus.WITHDRAWN
        locked.save()
    return locked
