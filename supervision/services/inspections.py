"""Every write about inspections: plan, start, record the checklist, add findings, answer, verify and
reopen corrective actions, close.

Each service asks ``partners.access`` first, writes inside one transaction and names the field it
refuses. Starting an inspection gives its inspectors a time-limited grant on the target partner (so they
can read its placements and practice hours); closing it ends those grants.

Notifications are written in the same transaction (``core.services.notifications.notify``), so a refused or
rolled-back change tells nobody. Secrecy: nothing of a spot (unannounced) inspection reaches the target
partner's people before an inspector starts it; the first they hear is "an inspection has started". A
scheduled inspection is announced: its coordinators are told when it is planned.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.services.notifications import notify
from core.validation import refuse
from partners import access
from partners.models import Membership, MembershipRole, Partner, PartnerStatus, Site
from practice.models import PracticeLog
from students.models import Placement
from supervision.models import (
    AWAITING_ANSWER,
    DUE_DAYS,
    ActionStatus,
    ChecklistItem,
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionKind,
    InspectionStatus,
    Rating,
    Severity,
)
from supervision.services.leads import lead_for_finding, lead_link_finding
from supervision.uploads import validate_evidence

#: How long an inspector's grant on the target partner lasts at most, counted from the later of the
#: planned date and the start; closing the inspection ends it earlier.
GRANT_DAYS = 60


def _refuse(field: str, message: str, code: str = "invalid") -> ValidationError:
    return refuse(field, code, message)


def _link(inspection_id: int, anchor: str = "") -> str:
    """Where a notification about an inspection points: its page (the reader's scope decides the rest)."""
    return reverse("supervision:detail", args=[inspection_id]) + (f"#{anchor}" if anchor else "")


def _coordinators(partner: Partner) -> list[User]:
    """Everyone coordinating the partner today (those who see its started inspections)."""
    return list(
        User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.active()
            .filter(partner=partner, role=MembershipRole.COORDINATOR)
            .values("user_id"),
        ).order_by("pk")
    )


def _conflicted(inspectors: Sequence[User], partner: Partner) -> list[User]:
    """Inspectors holding a membership in force at the partner: a conflict of interest."""
    ids = set(
        Membership.objects.active()
        .filter(partner=partner, user__in=[i.pk for i in inspectors])
        .values_list("user_id", flat=True)
    )
    return [inspector for inspector in inspectors if inspector.pk in ids]


def suspended_employees(inspectors: Sequence[User]) -> list[User]:
    """Inspectors holding a membership in force at a suspended partner: no new inspection for them."""
    ids = set(
        Membership.objects.active()
        .filter(partner__status=PartnerStatus.SUSPENDED, user__in=[i.pk for i in inspectors])
        .values_list("user_id", flat=True)
    )
    return [inspector for inspector in inspectors if inspector.pk in ids]


def _check_inspectors(inspectors: Sequence[User], partner: Partner) -> None:
    if not inspectors:
        raise _refuse("inspectors", _("Assign at least one inspector."), "required")
    not_inspectors = [i for i in inspectors if not access.is_inspector(i)]
    if not_inspectors:
        raise _refuse(
            "inspectors",
            _("Not an inspector: %(names)s.") % {"names": ", ".join(str(i) for i in not_inspectors)},
            "not_inspector",
        )
    employed = suspended_employees(inspectors)
    if employed:
        # A suspended partner takes no new inspections as its people's employer either (issue 10).
        raise _refuse(
            "inspectors",
            _("%(names)s works for a suspended partner and takes no new inspection.")
            % {"names": ", ".join(str(i) for i in employed)},
            "inspector_employer_suspended",
        )
    conflicted = _conflicted(inspectors, partner)
    if conflicted:
        raise _refuse(
            "inspectors",
            _("Conflict of interest: %(names)s belongs to the partner inspected.")
            % {"names": ", ".join(str(i) for i in conflicted)},
            "conflict_of_interest",
        )


@transaction.atomic
def inspection_plan(
    *,
    kind: str,
    partner: Partner,
    template: ChecklistTemplate,
    planned_date: datetime.date,
    inspectors: Sequence[User],
    by: User,
    site: Site | None = None,
    placement: Placement | None = None,
    scope: str = "",
) -> Inspection:
    """Plan an inspection (office only). A spot inspection stays invisible to the target partner until
    an inspector starts it; no one with a membership at the target partner may inspect it."""
    access.require(by, "plan", Inspection)
    if kind not in InspectionKind.values:
        raise _refuse("kind", _("Choose scheduled or spot."))
    if site is not None and placement is not None:
        raise _refuse("site", _("Choose a site or a placement, not both."))
    if site is not None and site.partner_id != partner.pk:
        raise _refuse("site", _("This site is not at the partner inspected."))
    if placement is not None and placement.partner_id != partner.pk:
        raise _refuse("placement", _("This placement is not at the partner inspected."))
    inspection = Inspection(
        kind=kind,
        target_partner=partner,
        target_site=site,
        target_placement=placement,
        scope=scope,
        template=template,
        planned_date=planned_date,
        created_by=by,
    )
    if not template.is_active:
        raise _refuse("template", _("This checklist is no longer in use."))
    if template.target_kind != inspection.target_kind:
        raise _refuse("template", _("This checklist is for another kind of target."))
    unique = list({i.pk: i for i in inspectors}.values())
    _check_inspectors(unique, partner)
    inspection.save()
    InspectionAssignment.objects.bulk_create(
        [InspectionAssignment(inspection=inspection, inspector=inspector) for inspector in unique]
    )
    notify(
        users=unique,
        kind="inspection_assigned",
        subject=gettext_noop("You are assigned to an inspection of %(partner)s on %(date)s"),
        params={"partner": partner.name, "date": planned_date.isoformat()},
        link=_link(inspection.pk),
        dedup_key=f"inspection-{inspection.pk}-assigned",
    )
    if kind == InspectionKind.SCHEDULED:
        # Announced: the partner prepares. A spot inspection's target hears nothing until it starts.
        notify(
            users=_coordinators(partner),
            kind="inspection_announced",
            subject=gettext_noop("An inspection of %(partner)s is scheduled for %(date)s"),
            params={"partner": partner.name, "date": planned_date.isoformat()},
            link=_link(inspection.pk),
            dedup_key=f"inspection-{inspection.pk}-announced",
        )
    return inspection


def _grant_until(inspection: Inspection) -> datetime.datetime:
    start = max(inspection.planned_date, timezone.localdate())
    last_day = start + datetime.timedelta(days=GRANT_DAYS)
    return timezone.make_aware(datetime.datetime.combine(last_day, datetime.time.max))


def _inspectors(inspection: Inspection) -> list[User]:
    return list(User.objects.filter(inspection_assignments__inspection=inspection).order_by("pk"))


def _locked(inspection: Inspection) -> Inspection:
    """Re-read the inspection under a row lock, so two concurrent status changes cannot both pass."""
    return Inspection.objects.select_for_update().get(pk=inspection.pk)


@transaction.atomic
def inspection_start(*, inspection: Inspection, by: User) -> Inspection:
    """Start an inspection (an assigned inspector or the office): from now the target partner's
    coordinators see it, and its inspectors may read the target's placements and practice hours."""
    access.require(by, "start", inspection)
    inspection = _locked(inspection)
    if inspection.status != InspectionStatus.PLANNED:
        raise _refuse("status", _("Only a planned inspection can be started."), "not_planned")
    inspectors = _inspectors(inspection)
    # A membership may have begun since planning: the conflict check holds at the start too.
    _check_inspectors(inspectors, inspection.target_partner)
    inspection.status = InspectionStatus.IN_PROGRESS
    inspection.started_at = timezone.now()
    inspection.save(update_fields=["status", "started_at"])
    until = _grant_until(inspection)
    for inspector in inspectors:
        access.grant_partner_view(
            user=inspector,
            partner=inspection.target_partner,
            until=until,
            reason=f"inspection {inspection.pk}",
        )
    # The first word the target partner hears of the inspection, whether it was announced or not.
    notify(
        users=_coordinators(inspection.target_partner),
        kind="inspection_started",
        subject=gettext_noop("An inspection of %(partner)s has started"),
        params={"partner": inspection.target_partner.name},
        link=_link(inspection.pk),
        dedup_key=f"inspection-{inspection.pk}-started",
    )
    return inspection


@transaction.atomic
def inspection_close(*, inspection: Inspection, by: User) -> Inspection:
    """Close an inspection in progress (an assigned inspector or the office), request its full report in every
    offered language, and end its inspectors' grants on the target partner, unless another inspection of that
    partner still in progress needs one."""
    access.require(by, "close", inspection)
    inspection = _locked(inspection)
    if inspection.status != InspectionStatus.IN_PROGRESS:
        raise _refuse("status", _("Only an inspection in progress can be closed."), "not_in_progress")
    inspection.status = InspectionStatus.CLOSED
    inspection.closed_at = timezone.now()
    inspection.save(update_fields=["status", "closed_at"])
    # The full report in every language the site offers, each version frozen on its own and rendered by the
    # worker after commit (imported here: supervision.reports loads WeasyPrint).
    from supervision.models import ReportVariant
    from supervision.reports import report_request_every_language

    report_request_every_language(inspection=inspection, variant=ReportVariant.FULL, by=by)
    partner = inspection.target_partner
    for inspector in _inspectors(inspection):
        access.end_partner_grants(partner=partner, user=inspector)
        # Grants are one row per person and partner: keep it for another open inspection of the partner.
        other = (
            Inspection.objects.filter(
                target_partner=partner, status=InspectionStatus.IN_PROGRESS, assignments__inspector=inspector
            )
            .exclude(pk=inspection.pk)
            .order_by("-planned_date")
            .first()
        )
        if other is not None:
            access.grant_partner_view(
                user=inspector, partner=partner, until=_grant_until(other), reason=f"inspection {other.pk}"
            )
    return inspection


def _require_in_progress(inspection: Inspection) -> None:
    if inspection.status != InspectionStatus.IN_PROGRESS:
        raise _refuse("inspection", _("The inspection is not in progress."), "not_in_progress")


@transaction.atomic
def checklist_record(
    *,
    inspection: Inspection,
    item: ChecklistItem,
    rating: str,
    by: User,
    note: str = "",
    evidence: UploadedFile | None = None,
) -> ChecklistResult:
    """Rate one checklist item (an assigned inspector, while the inspection is in progress); rating it
    again replaces the rating, and the history keeps the earlier one."""
    access.require(by, "record", inspection)
    inspection = _locked(inspection)
    _require_in_progress(inspection)
    if item.template_id != inspection.template_id:
        raise _refuse("item", _("This item is not on the inspection's checklist."))
    if rating not in Rating.values:
        raise _refuse("rating", _("Choose a rating."))
    if rating in (Rating.MINOR_GAP, Rating.MAJOR_GAP) and not note.strip():
        raise _refuse("note", _("Say what the gap is."), "required")
    if evidence is not None:
        validate_evidence(evidence, field="evidence")
    result = ChecklistResult.objects.filter(inspection=inspection, item=item).first()
    if result is None:
        result = ChecklistResult(inspection=inspection, item=item)
    result.rating = rating
    result.note = note
    if evidence is not None:
        result.evidence = evidence  # type: ignore[assignment]
    result.recorded_by = by
    result.recorded_at = timezone.now()
    result.save()
    return result


def _coordinator_of(partner: Partner) -> User | None:
    membership = (
        Membership.objects.active()
        .filter(partner=partner, role=MembershipRole.COORDINATOR)
        .select_related("user")
        .order_by("start_date", "pk")
        .first()
    )
    return membership.user if membership is not None else None


@transaction.atomic
def finding_add(
    *,
    inspection: Inspection,
    severity: str,
    description: str,
    by: User,
    placement: Placement | None = None,
    supervisor: User | None = None,
    practice_logs: Sequence[PracticeLog] = (),
    evidence: UploadedFile | None = None,
    lead_id: int | None = None,
) -> Finding:
    """Record a finding (an assigned inspector, while in progress). A minor, major or critical finding
    gets its corrective action, owned by the target partner's coordinator and due by severity. ``lead_id``:
    the point referred from student reviews it was recorded from (one of this inspection's, once)."""
    access.require(by, "record", inspection)
    inspection = _locked(inspection)
    _require_in_progress(inspection)
    partner = inspection.target_partner
    if severity not in Severity.values:
        raise _refuse("severity", _("Choose a severity."))
    if not description.strip():
        raise _refuse("description", _("Describe the finding."), "required")
    if placement is not None and placement.partner_id != partner.pk:
        raise _refuse("placement", _("This placement is not at the partner inspected."))
    if supervisor is not None and not Membership.objects.filter(partner=partner, user=supervisor).exists():
        raise _refuse("supervisor", _("This person is not one of the inspected partner's people."))
    logs = list(practice_logs)
    if any(log.placement.partner_id != partner.pk for log in logs):
        raise _refuse("practice_logs", _("Some entries are not at the partner inspected."))
    if evidence is not None:
        validate_evidence(evidence, field="evidence")
    lead = lead_for_finding(inspection=inspection, lead_id=lead_id, by=by) if lead_id is not None else None
    owner: User | None = None
    if severity in DUE_DAYS:
        owner = _coordinator_of(partner)
        if owner is None:
            raise _refuse(
                "severity",
                _("The partner inspected has no coordinator to own the corrective action; ask the office to name one."),
                "no_coordinator",
            )
    finding = Finding(
        inspection=inspection,
        severity=severity,
        description=description,
        placement=placement,
        supervisor=supervisor,
        created_by=by,
    )
    if evidence is not None:
        finding.evidence = evidence  # type: ignore[assignment]
    finding.save()
    if logs:
        finding.practice_logs.set(logs)
    if lead is not None:
        lead_link_finding(lead=lead, finding=finding)
    if owner is not None:
        action = CorrectiveAction.objects.create(
            finding=finding,
            owner=owner,
            due_date=timezone.localdate(finding.created_at) + datetime.timedelta(days=DUE_DAYS[severity]),
        )
        # The inspection is in progress here, so its partner already knows of it: no secret is told.
        notify(
            users=[owner],
            kind="corrective_action_opened",
            subject=gettext_noop("A corrective action for %(partner)s is due by %(due)s"),
            params={"partner": partner.name, "due": action.due_date.isoformat()},
            body=description,
            link=_link(inspection.pk, f"action-{action.pk}"),
            dedup_key=f"corrective-action-{action.pk}-opened",
        )
    return finding


def _locked_action(action: CorrectiveAction) -> CorrectiveAction:
    return CorrectiveAction.objects.select_for_update().get(pk=action.pk)


def _tell_owner(action: CorrectiveAction, *, kind: str, subject: str, key: str, body: str = "") -> None:
    """Tell the action's owner what the inspector decided on their answer (one notice per answer)."""
    inspection_id = Finding.objects.filter(pk=action.finding_id).values_list("inspection_id", flat=True).get()
    stamp = f"{action.answered_at:%Y%m%d%H%M%S%f}" if action.answered_at else "none"
    notify(
        users=[action.owner],
        kind=kind,
        subject=subject,
        params={"due": action.due_date.isoformat()},
        body=body,
        link=_link(inspection_id, f"action-{action.pk}"),
        dedup_key=f"corrective-action-{action.pk}-{key}-{stamp}",
    )


@transaction.atomic
def corrective_action_answer(
    *, action: CorrectiveAction, answer: str, by: User, evidence: UploadedFile | None = None
) -> CorrectiveAction:
    """The target partner's coordinator says what was done (open or reopened actions)."""
    access.require(by, "answer", action)
    action = _locked_action(action)
    if action.status not in AWAITING_ANSWER:
        raise _refuse("status", _("This action is not awaiting an answer."), "not_open")
    if not answer.strip():
        raise _refuse("answer", _("Say what was done."), "required")
    if evidence is not None:
        validate_evidence(evidence, field="evidence")
    action.answer = answer
    if evidence is not None:
        action.answer_evidence = evidence  # type: ignore[assignment]
    action.status = ActionStatus.ANSWERED
    action.answered_at = timezone.now()
    action.save()
    inspection = Inspection.objects.select_related("target_partner").get(findings__pk=action.finding_id)
    # Answered again after a reopening is news again: the key carries the answer's time.
    notify(
        users=_inspectors(inspection),
        kind="corrective_action_answered",
        subject=gettext_noop("%(partner)s answered a corrective action: verify it"),
        params={"partner": inspection.target_partner.name},
        body=answer,
        link=_link(inspection.pk, f"action-{action.pk}"),
        dedup_key=f"corrective-action-{action.pk}-answered-{action.answered_at:%Y%m%d%H%M%S%f}",
    )
    return action


@transaction.atomic
def corrective_action_verify(*, action: CorrectiveAction, by: User) -> CorrectiveAction:
    """An assigned inspector accepts the answer: the action is verified."""
    access.require(by, "verify", action)
    action = _locked_action(action)
    if action.status != ActionStatus.ANSWERED:
        raise _refuse("status", _("Only an answered action can be verified."), "not_answered")
    action.status = ActionStatus.VERIFIED
    action.verified_by = by
    action.verified_at = timezone.now()
    action.save()
    _tell_owner(
        action,
        kind="corrective_action_verified",
        subject=gettext_noop("Your corrective action was verified (due %(due)s)"),
        key="verified",
    )
    return action


@transaction.atomic
def corrective_action_reopen(*, action: CorrectiveAction, reason: str, by: User) -> CorrectiveAction:
    """An assigned inspector refuses the answer, saying why: the owner must answer again."""
    access.require(by, "verify", action)
    action = _locked_action(action)
    if action.status != ActionStatus.ANSWERED:
        raise _refuse("status", _("Only an answered action can be reopened."), "not_answered")
    if not reason.strip():
        raise _refuse("reason", _("Say why the answer is not enough."), "required")
    action.status = ActionStatus.REOPENED
    action.reopen_reason = reason
    action.save()
    _tell_owner(
        action,
        kind="corrective_action_reopened",
        subject=gettext_noop("Your corrective action was reopened: answer again (due %(due)s)"),
        key="reopened",
        body=reason,
    )
    return action
