"""Concerns: a reply within 14 days, escalation to the office (by the job when no reply came, or by the
student), the office's decision, and a thread that is only ever added to."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from reviews import hooks
from reviews.models import ConcernCategory, ConcernMessage, ConcernStatus, Direction, MessageKind
from reviews.services import concerns
from tests.conftest import World, api_client_for, client_for
from tests.reviews import helpers

pytestmark = pytest.mark.django_db


def _concern(world: World):  # type: ignore[no-untyped-def]
    round_ = helpers.open_round(world)
    review = helpers.task(round_, Direction.STUDENT_PLACEMENT, reviewer=world.users["student_a"])
    helpers.submit(review, concern_category=ConcernCategory.SUPERVISION, concern_text="Left alone on night shifts.")
    return review.concerns.get()


def test_the_supervisor_replies_and_the_student_hears_of_it(world: World) -> None:
    concern = _concern(world)
    assert concern.reply_due_on == timezone.localdate(concern.created_at) + datetime.timedelta(days=14)
    response = client_for(world.users["supervisor_a"]).post(
        reverse("reviews:concern-reply", args=[concern.pk]), {"text": "A senior radiographer is now on call."}
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.REPLIED
    assert [m.kind for m in concern.messages.all()] == [MessageKind.RAISED, MessageKind.REPLY]
    assert Notification.objects.filter(user=world.users["student_a"], kind=concerns.NEW_KIND).exists()


def test_another_partner_cannot_reply_or_see_the_concern(world: World) -> None:
    concern = _concern(world)
    for persona in ("supervisor_b", "coordinator_b", "tutor", "student_b"):
        client = client_for(world.users[persona])
        assert client.get(reverse("reviews:concern", args=[concern.pk])).status_code == 404
        assert client.post(reverse("reviews:concern-reply", args=[concern.pk]), {"text": "x"}).status_code == 404
        api = api_client_for(world.users[persona])
        assert (
            api.post(reverse("api:concern-reply", args=[concern.pk]), {"text": "x"}, format="json").status_code == 404
        )


def test_no_reply_in_time_escalates_to_the_office_once(world: World) -> None:
    concern = _concern(world)
    assert concerns.concerns_escalate_due(today=concern.reply_due_on) == 0
    assert concerns.concerns_escalate_due(today=concern.reply_due_on + datetime.timedelta(days=1)) == 1
    assert concerns.concerns_escalate_due(today=concern.reply_due_on + datetime.timedelta(days=2)) == 0
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ESCALATED
    assert Notification.objects.filter(user=world.users["office"], kind=concerns.ESCALATED_KIND).count() == 1


def test_the_student_may_take_it_to_the_office_but_the_supervisor_may_not(world: World) -> None:
    concern = _concern(world)
    with pytest.raises(PermissionDenied):
        concerns.concern_escalate(concern=concern, by=world.users["supervisor_a"])  # type: ignore[arg-type]
    response = api_client_for(world.users["student_a"]).post(
        reverse("api:concern-escalate", args=[concern.pk]), {"text": "The reply changed nothing."}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == ConcernStatus.ESCALATED


def test_without_a_referral_page_the_office_closes_it_referred_with_a_reference(world: World) -> None:
    concern = _concern(world)
    office = client_for(world.users["office"])
    url = reverse("reviews:concern-decide", args=[concern.pk])
    assert 'value="referred"' not in office.get(url).content.decode()  # supervision's page takes it
    installed = hooks.outcome_handler("referred")  # supervision's, taken out for this test
    hooks.CONCERN_OUTCOMES.unregister("referred")
    try:
        response = office.post(
            url, {"outcome": "referred", "note": "To check at the next visit.", "reference": "Inspection plan 2027-03"}
        )
    finally:
        assert installed is not None
        hooks.CONCERN_OUTCOMES.register(installed)
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.REFERRED and concern.outcome_reference == "Inspection plan 2027-03"
    with pytest.raises(ValidationError):
        concerns.concern_reply(concern=concern, text="late", by=world.users["supervisor_a"])  # type: ignore[arg-type]


def test_a_violation_needs_the_register_and_a_registered_handler_is_used(world: World) -> None:
    concern = _concern(world)
    office = world.users["office"]
    installed = hooks.outcome_handler("violation")  # the integrity register's, taken out for this test
    hooks.CONCERN_OUTCOMES.unregister("violation")
    try:
        with pytest.raises(ValidationError) as refused:
            concerns.concern_decide(concern=concern, outcome="violation", note="Misconduct.", by=office)  # type: ignore[arg-type]
        assert refused.value.error_dict["outcome"][0].code == "outcome_unavailable"
        hooks.CONCERN_OUTCOMES.register(hooks.ConcernOutcome(key="violation", handle=lambda **kw: "Case V-7"))
        closed = concerns.concern_decide(concern=concern, outcome="violation", note="Misconduct.", by=office)  # type: ignore[arg-type]
    finally:
        hooks.CONCERN_OUTCOMES.unregister("violation")
        if installed is not None:
            hooks.CONCERN_OUTCOMES.register(installed)
    assert closed.status == ConcernStatus.VIOLATION and closed.outcome_reference == "Case V-7"


def test_the_thread_is_never_edited_in_bulk(world: World) -> None:
    concern = _concern(world)
    with pytest.raises(TypeError):
        ConcernMessage.objects.filter(concern=concern).update(text="rewritten")
    with pytest.raises(TypeError):
        ConcernMessage.objects.filter(concern=concern).delete()
