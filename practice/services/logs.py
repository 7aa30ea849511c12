"""Every write about practice hours: log, approve, reject, withdraw, correct, reopen a month, set rules.

Rules live in ``practice.rules``; this module applies them, records who did what under which rule
version, and keeps approved entries untouchable: a correction is a new entry.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.validation import first_error, refuse
from partners import access
from partners.models import Partner
from practice import rules
from practice.models import EntryStatus, MonthReopening, PracticeLog, RuleSet
from programmes.models import ActivityCategory, Programme
from students.models import Placement, PlacementStatus


def _duration_hours(start: datetime.time, end: datetime.time) -> Decimal:
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class EntryInput:
    """What someone logs: the placement, the day, the hours (or a time range), the activity."""

    placement: Placement
    date: datetime.date
    category: ActivityCategory
    hours: Decimal | None = None
    start_time: datetime.time | None = None
    end_time: datetime.time | None = None
    cases: int | None = None
    description: str = ""


def rule_refusal(rule: str, **params: object) -> ValidationError:
    """The refusal of ``rule`` with its words, built in one place so that the row-by-row and the set-based
    paths (``practice.services.bulk``) refuse a row in exactly the same words."""
    if rule == "placement":
        return refuse("placement", "placement", _("This placement was cancelled."))
    if rule == "category":
        return refuse("category", "category", _("Choose an activity of the student's programme."))
    if rule == "future_date":
        return refuse("date", "future_date", _("Rule “no future dates”: the date cannot be after today."))
    if rule == "outside_placement":
        return refuse(
            "date",
            "outside_placement",
            _("Rule “date inside the placement”: the placement runs from %(start)s to %(end)s.") % params,
        )
    if rule == "entry_window":
        return refuse(
            "date", "entry_window", _("Rule “entry window”: entries can be made at most %(days)s days back.") % params
        )
    if rule == "month_closed":
        return refuse(
            "date",
            "month_closed",
            _("Rule “monthly lock”: %(month)s closed on %(closed)s; the graduate office can reopen it.") % params,
        )
    if rule == "hours_range":
        return refuse("hours", "hours_range", _("Rule “hours”: hours must be above zero and at most %(max)s.") % params)
    if rule == "daily_maximum":
        return refuse(
            "hours",
            "daily_maximum",
            _("Rule “daily maximum”: %(already)s hours are already logged on %(day)s; at most %(max)s a day.") % params,
        )
    if rule == "overlap":
        return refuse("start_time", "overlap", _("Rule “no overlaps”: this time overlaps another entry that day."))
    raise ValueError(rule)


def _check_entry(
    entry: EntryInput, *, hours: Decimal, today: datetime.date, rule_set: rules.Rules, exclude_pk: int | None = None
) -> None:
    """Every rule an entry must pass; raises at the first broken rule, naming it. The set-based path
    (``practice.services.bulk``) checks the same rules in the same order in SQL."""
    placement = entry.placement
    if placement.status == PlacementStatus.CANCELLED:
        raise rule_refusal("placement")
    if entry.category.programme_id != placement.student.programme_id:
        raise rule_refusal("category")
    if entry.date > today:
        raise rule_refusal("future_date")
    if not placement.start_date <= entry.date <= placement.end_date:
        raise rule_refusal(
            "outside_placement", start=placement.start_date.isoformat(), end=placement.end_date.isoformat()
        )
    if entry.date < today - datetime.timedelta(days=rule_set.entry_window_days):
        raise rule_refusal("entry_window", days=rule_set.entry_window_days)
    programme = placement.student.programme
    if not rules.is_month_open(programme=programme, day=entry.date, today=today, lock_day=rule_set.lock_day):
        raise rule_refusal(
            "month_closed",
            month=entry.date.strftime("%Y-%m"),
            closed=rules.month_closes_on(entry.date, rule_set.lock_day).isoformat(),
        )
    if hours <= 0 or hours > rule_set.daily_max_hours:
        raise rule_refusal("hours_range", max=rule_set.daily_max_hours)
    already = rules.day_total(student_id=placement.student_id, day=entry.date, exclude_pk=exclude_pk)
    if already + hours > rule_set.daily_max_hours:
        raise rule_refusal("daily_maximum", already=already, day=entry.date.isoformat(), max=rule_set.daily_max_hours)
    if (
        entry.start_time
        and entry.end_time
        and rules.overlapping_exists(
            student_id=placement.student_id,
            day=entry.date,
            start=entry.start_time,
            end=entry.end_time,
            exclude_pk=exclude_pk,
        )
    ):
        raise rule_refusal("overlap")


class _Timed(Protocol):
    @property
    def hours(self) -> Decimal | None: ...
    @property
    def start_time(self) -> datetime.time | None: ...
    @property
    def end_time(self) -> datetime.time | None: ...


def entry_hours(entry: _Timed) -> Decimal:
    """The hours an entry claims: its time range's length, or its hours; refuses a half-given range."""
    if entry.start_time or entry.end_time:
        if not (entry.start_time and entry.end_time):
            raise refuse("end_time", "hours_range", _("Give both a start and an end time, or only hours."))
        if entry.end_time <= entry.start_time:
            raise refuse("end_time", "hours_range", _("The end time must be after the start time."))
        return _duration_hours(entry.start_time, entry.end_time)
    if entry.hours is None:
        raise refuse("hours", "hours_range", _("Give the hours, or a start and an end time."))
    return Decimal(entry.hours)


@transaction.atomic
def practice_log_create(
    *, entry: EntryInput, by: User, today: datetime.date | None = None, idempotency_key: str | None = None
) -> PracticeLog:
    """Log hours. A student's entry waits for the placement's supervisor; a supervisor's entry for a
    supervisee is approved on entry and marked as entered by the supervisor."""
    today = today or timezone.localdate()
    placement = Placement.objects.select_related("student__programme", "partner").get(pk=entry.placement.pk)
    entry = EntryInput(**{**entry.__dict__, "placement": placement})
    access.require(by, "log", placement)
    hours = entry_hours(entry)
    rule_set = rules.rules_for(programme=placement.student.programme, partner=placement.partner)
    # Serialise entries of one student so two requests cannot both pass the daily maximum.
    type(placement.student).objects.select_for_update().filter(pk=placement.student_id).first()
    if idempotency_key is not None:
        # A retried request is a duplicate before it is anything else: its first copy already counts
        # against the daily maximum and overlaps itself, so the rules would refuse it for the wrong reason.
        existing = PracticeLog.objects.filter(entered_by=by, idempotency_key=idempotency_key).first()
        if existing is not None:
            raise DuplicateEntry(existing)
    _check_entry(entry, hours=hours, today=today, rule_set=rule_set)
    by_supervisor = placement.supervisor_id == by.pk
    now = timezone.now()
    log = PracticeLog(
        student_id=placement.student_id,
        placement=placement,
        date=entry.date,
        hours=hours,
        start_time=entry.start_time,
        end_time=entry.end_time,
        category=entry.category,
        cases=entry.cases,
        description=entry.description.strip(),
        entered_by=by,
        entered_by_supervisor=by_supervisor,
        status=EntryStatus.APPROVED if by_supervisor else EntryStatus.PENDING,
        decided_by=by if by_supervisor else None,
        decided_at=now if by_supervisor else None,
        rule_version=rule_set.version,
        idempotency_key=idempotency_key,
    )
    log._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            log.save()
    except IntegrityError:
        existing = PracticeLog.objects.filter(entered_by=by, idempotency_key=idempotency_key).first()
        if idempotency_key is not None and existing is not None:
            raise DuplicateEntry(existing) from None
        raise
    return log


class DuplicateEntry(Exception):
    """An entry with this idempotency key already exists (a retried request); carries that entry."""

    def __init__(self, existing: PracticeLog) -> None:
        super().__init__(existing.pk)
        self.existing = existing


def _decide(log: PracticeLog, *, by: User, today: datetime.date) -> PracticeLog:
    # Only the entry's row: a plain FOR UPDATE would also hold the joined placement, student, programme and
    # partner rows, and deadlock with an entry being logged for the same student (which holds the student's
    # row and checks its placement at commit), as the load test found (docs/bench.md).
    log = (
        PracticeLog.objects.select_for_update(of=("self",))
        .select_related("placement__student__programme", "placement__partner")
        .get(pk=log.pk)
    )
    if log.entered_by_id == by.pk:
        raise refuse("status", "own_entry", _("Nobody decides on an entry they made themselves."))
    if log.status != EntryStatus.PENDING:
        raise refuse("status", "not_pending", _("Only a pending entry can be approved or rejected."))
    rule_set = rules.rules_for(programme=log.placement.student.programme, partner=log.placement.partner)
    if not rules.is_month_open(
        programme=log.placement.student.programme, day=log.date, today=today, lock_day=rule_set.lock_day
    ):
        raise refuse(
            "date", "month_closed", _("Rule “monthly lock”: this month is closed; the graduate office can reopen it.")
        )
    return log


@transaction.atomic
def practice_log_approve(*, log: PracticeLog, by: User, today: datetime.date | None = None) -> PracticeLog:
    """The placement's supervisor approves a pending entry."""
    access.require(by, "decide", log)
    log = _decide(log, by=by, today=today or timezone.localdate())
    log.status, log.decided_by, log.decided_at = EntryStatus.APPROVED, by, timezone.now()
    log._history_user = by  # type: ignore[attr-defined]
    log.save(update_fields=["status", "decided_by", "decided_at"])
    return log


@transaction.atomic
def practice_logs_approve(*, log_ids: Sequence[int], by: User, today: datetime.date | None = None) -> list[PracticeLog]:
    """Approve many entries at once: all of them, or none if any one cannot be approved."""
    ids = list(dict.fromkeys(int(pk) for pk in log_ids))
    if not ids:
        raise refuse("ids", "empty", _("Choose at least one entry."))
    allowed = set(access.scope(PracticeLog.objects.filter(pk__in=ids), by, "decide").values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in allowed]
    if missing:
        raise refuse(
            "ids",
            "not_found",
            _("These entries are not yours to approve: %(ids)s.") % {"ids": ", ".join(map(str, missing))},
        )
    day = today or timezone.localdate()
    decided = []
    now = timezone.now()
    for pk in ids:
        log = _decide(PracticeLog(pk=pk), by=by, today=day)
        log.status, log.decided_by, log.decided_at, log.decided_in_bulk = EntryStatus.APPROVED, by, now, len(ids) > 1
        log._history_user = by  # type: ignore[attr-defined]
        log.save(update_fields=["status", "decided_by", "decided_at", "decided_in_bulk"])
        decided.append(log)
    return decided


@transaction.atomic
def practice_log_reject(*, log: PracticeLog, by: User, reason: str, today: datetime.date | None = None) -> PracticeLog:
    """The placement's supervisor rejects a pending entry with a reason the student sees."""
    access.require(by, "decide", log)
    if not reason.strip():
        raise refuse("reason", "reason_required", _("Say why the entry is rejected."))
    log = _decide(log, by=by, today=today or timezone.localdate())
    log.status, log.decided_by, log.decided_at = EntryStatus.REJECTED, by, timezone.now()
    log.rejection_reason = reason.strip()
    log._history_user = by  # type: ignore[attr-defined]
    log.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    return log


@transaction.atomic
def practice_log_withdraw(*, log: PracticeLog, by: User) -> PracticeLog:
    """The student withdraws their own pending entry. Approved entries are never withdrawn."""
    access.require(by, "withdraw", log)
    log = PracticeLog.objects.select_for_update().get(pk=log.pk)
    if log.status != EntryStatus.PENDING:
        raise refuse("status", "not_pending", _("Only a pending entry can be withdrawn."))
    log.status = EntryStatus.WITHDRAWN
    log._history_user = by  # type: ignore[attr-defined]
    log.save(update_fields=["status"])
    return log


@transaction.atomic
def practice_log_correct(
    *, original: PracticeLog, by: User, hours: Decimal, reason: str, today: datetime.date | None = None
) -> PracticeLog:
    """Correct an approved entry with a new one on the same day: ``hours`` is the change (negative to take
    hours back, ``-original.hours`` to reverse it). It is approved like any other entry."""
    access.require(by, "log", original.placement)
    if original.status != EntryStatus.APPROVED:
        raise refuse(
            "corrects", "not_approved", _("Only an approved entry is corrected; withdraw or answer the others.")
        )
    if not reason.strip():
        raise refuse("correction_reason", "reason_required", _("Say why the entry is corrected."))
    if hours == 0:
        raise refuse("hours", "hours_range", _("A correction changes the hours: give a change other than zero."))
    net = original.hours + sum((c.hours for c in original.corrections.filter(status__in=rules.COUNTING)), Decimal("0"))
    if net + hours < 0:
        raise refuse("hours", "hours_range", _("A correction cannot take back more hours than were approved."))
    day = today or timezone.localdate()
    placement = original.placement
    rule_set = rules.rules_for(programme=placement.student.programme, partner=placement.partner)
    if not rules.is_month_open(
        programme=placement.student.programme, day=original.date, today=day, lock_day=rule_set.lock_day
    ):
        raise refuse(
            "date", "month_closed", _("Rule “monthly lock”: this month is closed; the graduate office can reopen it.")
        )
    if (
        hours > 0
        and rules.day_total(student_id=original.student_id, day=original.date) + hours > rule_set.daily_max_hours
    ):
        raise refuse(
            "hours",
            "daily_maximum",
            _("Rule “daily maximum”: the correction would exceed %(max)s hours that day.")
            % {"max": rule_set.daily_max_hours},
        )
    by_supervisor = placement.supervisor_id == by.pk
    log = PracticeLog(
        student_id=original.student_id,
        placement=placement,
        date=original.date,
        hours=hours,
        category=original.category,
        description=original.description,
        entered_by=by,
        entered_by_supervisor=by_supervisor,
        status=EntryStatus.APPROVED if by_supervisor else EntryStatus.PENDING,
        decided_by=by if by_supervisor else None,
        decided_at=timezone.now() if by_supervisor else None,
        rule_version=rule_set.version,
        corrects=original,
        correction_reason=reason.strip(),
    )
    log._history_user = by  # type: ignore[attr-defined]
    log.save()
    return log


@transaction.atomic
def month_reopen(
    *,
    programme: Programme,
    month: datetime.date,
    until: datetime.date,
    reason: str,
    by: User,
    today: datetime.date | None = None,
) -> MonthReopening:
    """The office reopens a closed month of a programme until a date, with a reason."""
    access.require(by, "reopen_month", programme)
    if not reason.strip():
        raise refuse("reason", "reason_required", _("Say why the month is reopened."))
    if until < (today or timezone.localdate()):
        raise refuse("until", "past", _("Reopen until today or later."))
    return MonthReopening.objects.create(
        programme=programme, month=rules.month_start(month), until=until, reason=reason.strip(), by=by
    )


@transaction.atomic
def rules_set(
    *,
    programme: Programme,
    by: User,
    partner: Partner | None = None,
    daily_max_hours: Decimal | None = None,
    entry_window_days: int | None = None,
    lock_day: int | None = None,
) -> RuleSet:
    """A new version of the rules: the programme's defaults (office) or a partner's tightening (its
    coordinator or the office). A partner's rules may only be stricter than the programme's; a rule left
    ``None`` keeps its current value (the programme's, for a partner)."""
    if partner is None:
        access.require(by, "set_practice_rules", programme)
    else:
        access.require(by, "manage_members", partner)
    rule_set = RuleSet(programme=programme, partner=partner, created_by=by)
    if partner is not None:
        # A rule the partner leaves out keeps the programme's value: the model's defaults could be looser
        # than the programme's own rules and refuse a change the partner never asked for.
        current = rules.programme_rules(programme=programme)
        rule_set.daily_max_hours = current.daily_max_hours
        rule_set.entry_window_days = current.entry_window_days
        rule_set.lock_day = current.lock_day
    if daily_max_hours is not None:
        rule_set.daily_max_hours = daily_max_hours
    if entry_window_days is not None:
        rule_set.entry_window_days = entry_window_days
    if lock_day is not None:
        rule_set.lock_day = lock_day
    rule_set.full_clean()
    if partner is not None:
        base = rules.programme_rules(programme=programme)
        errors = {}
        if rule_set.daily_max_hours > base.daily_max_hours:
            errors["daily_max_hours"] = [
                _("A partner can only tighten the daily maximum (at most %(max)s).") % {"max": base.daily_max_hours}
            ]
        if rule_set.entry_window_days > base.entry_window_days:
            errors["entry_window_days"] = [_("A partner can only shorten the entry window.")]
        if rule_set.lock_day > base.lock_day:
            errors["lock_day"] = [_("A partner can only close months earlier.")]
        if errors:
            raise ValidationError(errors)
    rule_set.save()
    return rule_set


# --- Bulk create, and why a bulk approval was refused -------------------------------------------------


class BulkRowStatus(models.TextChoices):
    CREATED = "created", gettext_lazy("Created")
    DUPLICATE = "duplicate", gettext_lazy("Duplicate")
    REFUSED = "refused", gettext_lazy("Refused")


@dataclass(frozen=True)
class BulkEntry:
    """One row of a bulk create, its shape already checked: the placement and the activity are ids,
    resolved for all rows at once, and ``index`` is the row's place in the request."""

    index: int
    idempotency_key: str
    placement_id: int
    category_id: int
    date: datetime.date
    hours: Decimal | None = None
    start_time: datetime.time | None = None
    end_time: datetime.time | None = None
    cases: int | None = None
    description: str = ""


@dataclass(frozen=True)
class BulkOutcome:
    """What became of one row: ``created`` (``id`` is the new entry), ``duplicate`` (``id`` is the entry
    made earlier under the key) or ``refused`` (``rule`` names the rule broken, ``field`` its field, in
    Django's naming: ``NON_FIELD_ERRORS`` for the whole entry)."""

    index: int
    idempotency_key: str | None
    status: str
    id: int | None = None
    rule: str | None = None
    field: str | None = None
    message: str | None = None


def out_of_reach(index: int, key: str, field: str, message: str) -> BulkOutcome:
    """A row naming a placement or an activity out of reach: refused as if it did not exist."""
    return BulkOutcome(index, key, BulkRowStatus.REFUSED, rule="does_not_exist", field=field, message=message)


def practice_logs_bulk_create(*, rows: Sequence[BulkEntry], by: User) -> list[BulkOutcome]:
    """Create the rows that pass the rules, in one transaction, and answer one outcome per row.

    On PostgreSQL (unless ``PRACTICE_BULK_SET_BASED`` is off) the batch is checked and written set-based
    (``practice.services.bulk``: COPY, rules in SQL, one INSERT); elsewhere, and for the rare batch the
    set-based path hands back, row by row (``practice_logs_bulk_create_by_rows``). The answers are the same."""
    if connection.vendor == "postgresql" and settings.PRACTICE_BULK_SET_BASED:
        from practice.services.bulk import bulk_create_set_based

        with transaction.atomic():
            outcomes = bulk_create_set_based(rows=rows, by=by)
            if outcomes is not None:
                return outcomes
    return practice_logs_bulk_create_by_rows(rows=rows, by=by)


def practice_logs_bulk_create_by_rows(*, rows: Sequence[BulkEntry], by: User) -> list[BulkOutcome]:
    """Create each row through ``practice_log_create``, each in a savepoint of one transaction, so a
    refused row leaves the others as they are. A row whose key ``by`` already used answers the entry made
    then (``duplicate``) and creates nothing. The placements, activities and keys already used of all
    rows are read in one query each, before the loop; the rules cost the same per row, however many."""
    placements = {
        placement.pk: placement
        for placement in access.scope(Placement.objects.filter(pk__in={row.placement_id for row in rows}), by, "log")
    }
    categories = ActivityCategory.objects.in_bulk({row.category_id for row in rows})
    made: dict[str, int] = {
        str(key): pk
        for key, pk in PracticeLog.objects.filter(
            entered_by=by, idempotency_key__in={row.idempotency_key for row in rows}
        ).values_list("idempotency_key", "pk")
    }
    outcomes = []
    with transaction.atomic():
        for row in rows:
            key = row.idempotency_key
            if key in made:
                outcomes.append(BulkOutcome(row.index, key, BulkRowStatus.DUPLICATE, id=made[key]))
                continue
            placement, category = placements.get(row.placement_id), categories.get(row.category_id)
            if placement is None:
                outcomes.append(
                    out_of_reach(
                        row.index, row.idempotency_key, "placement", _("No such placement that you may log hours at.")
                    )
                )
                continue
            if category is None:
                outcomes.append(out_of_reach(row.index, row.idempotency_key, "category", _("No such activity.")))
                continue
            entry = EntryInput(
                placement=placement,
                category=category,
                date=row.date,
                hours=row.hours,
                start_time=row.start_time,
                end_time=row.end_time,
                cases=row.cases,
                description=row.description,
            )
            try:
                with transaction.atomic():  # the row's savepoint: a refusal undoes this row only
                    log = practice_log_create(entry=entry, by=by, idempotency_key=key)
            except DuplicateEntry as duplicate:
                made[key] = duplicate.existing.pk
                outcomes.append(BulkOutcome(row.index, key, BulkRowStatus.DUPLICATE, id=duplicate.existing.pk))
            except PermissionDenied:
                outcomes.append(
                    out_of_reach(
                        row.index, row.idempotency_key, "placement", _("No such placement that you may log hours at.")
                    )
                )
            except ValidationError as error:
                field, rule, message = first_error(error)
                outcomes.append(
                    BulkOutcome(
                        row.index, key, BulkRowStatus.REFUSED, rule=rule or "invalid", field=field, message=message
                    )
                )
            else:
                made[key] = log.pk
                outcomes.append(BulkOutcome(row.index, key, BulkRowStatus.CREATED, id=log.pk))
    return outcomes


@dataclass(frozen=True)
class ApprovalRefusal:
    """An entry that stops a bulk approval, the rule it breaks, and the field (Django's naming)."""

    id: int
    rule: str
    field: str
    message: str


class _TrialOnly(Exception):
    """Raised to roll back a trial approval."""


def practice_logs_approval_refusals(*, log_ids: Sequence[int], by: User) -> list[ApprovalRefusal]:
    """Each entry that stops ``practice_logs_approve``, with the rule it breaks; writes nothing.

    The service stops at the first entry it cannot approve and names no entry for most rules; to tell a
    partner system every entry to look at, each entry is tried alone through ``practice_log_approve``
    in a savepoint that is always rolled back. Meant to run after a refused bulk approval."""
    refusals = []
    for pk in dict.fromkeys(log_ids):
        try:
            with transaction.atomic():
                practice_log_approve(log=PracticeLog(pk=pk), by=by)
                raise _TrialOnly
        except _TrialOnly:
            continue
        except PermissionDenied:
            refusals.append(ApprovalRefusal(pk, "not_found", "ids", _("No such entry that you may approve.")))
        except ValidationError as error:
            field, rule, message = first_error(error)
            refusals.append(ApprovalRefusal(pk, rule or "invalid", field, message))
    return refusals
