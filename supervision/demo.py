"""Demo supervision: checklists, and one inspection at each stage of the chain.

* The hospital (AH): a scheduled inspection, closed and published, with findings and corrective actions
  (one verified, one answered and waiting for the inspector, one still open) and its reports rendered.
* The enterprise (IMG-E): a spot inspection in progress, assigned to ``inspector``, half rated.
* The institute (BME-I): a planned spot inspection, assigned to ``inspector``; ``coord-institute`` and
  ``sup-institute`` see nothing of it.
* One spot draw of the week the demo is loaded, by ``office``, with one pick (the draw history's entry).

Everything goes through ``supervision.services`` (and ``supervision.services.publication``), as people would;
only the hospital inspection's timeline is moved back (planned 30 days ago, started on its planned date 14
days ago, closed 7 days ago), so that nothing happens before it was planned and its days from closing to
publication read like a real case. Idempotent: each inspection is looked up by its target
and scope first.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from partners.models import Partner
from practice.models import PracticeLog
from students.models import Placement
from supervision import services
from supervision.models import (
    Aspect,
    ChecklistItem,
    ChecklistResult,
    ChecklistTemplate,
    CorrectiveAction,
    Finding,
    Inspection,
    InspectionKind,
    InspectionReport,
    Rating,
    ReportStatus,
    Severity,
    SpotDraw,
    TargetKind,
)

#: Checklist items: (aspect, code, text). Text in English with the Chinese the inspectors use on site.
PARTNER_ITEMS: tuple[tuple[str, str, str], ...] = (
    (
        Aspect.FEASIBILITY,
        "F1",
        "Equipment and caseload suffice for the placements agreed. 设备与病例量满足协议约定的实践需求。",
    ),
    (
        Aspect.FEASIBILITY,
        "F2",
        "Each student has a named supervisor with time set aside. 每名学生有指定导师并安排带教时间。",
    ),
    (
        Aspect.FEASIBILITY,
        "F3",
        "Safety and radiation-protection induction is given on day one. 第一天完成安全与辐射防护培训。",
    ),
    (
        Aspect.QUALITY,
        "Q1",
        "Practice hours are logged promptly and signed off within a week. 实践学时及时登记并在一周内审核。",
    ),
    (
        Aspect.QUALITY,
        "Q2",
        "Supervisors give written feedback at least monthly. 导师至少每月给出书面反馈。",
    ),
    (
        Aspect.QUALITY,
        "Q3",
        "The training plan's objectives are visible in daily work. 日常工作体现培养方案目标。",
    ),
    (
        Aspect.RESULTS,
        "R1",
        "Students meet the hour requirements of their placement. 学生达到实践学时要求。",
    ),
    (
        Aspect.RESULTS,
        "R2",
        "Milestones fall due on time or are explained. 里程碑按期完成或有说明。",
    ),
    (
        Aspect.RESULTS,
        "R3",
        "Students' own assessment of the placement is positive. 学生对实践岗位评价良好。",
    ),
)
SITE_ITEMS = PARTNER_ITEMS[:2] + PARTNER_ITEMS[3:5] + PARTNER_ITEMS[6:7]
PLACEMENT_ITEMS = (PARTNER_ITEMS[1], PARTNER_ITEMS[3], PARTNER_ITEMS[4], PARTNER_ITEMS[6], PARTNER_ITEMS[8])

TEMPLATES: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    ("Partner inspection 合作单位检查", TargetKind.PARTNER, PARTNER_ITEMS),
    ("Site inspection 实践基地检查", TargetKind.SITE, SITE_ITEMS),
    ("Placement inspection 实践岗位检查", TargetKind.PLACEMENT, PLACEMENT_ITEMS),
)

HOSPITAL_SCOPE = "Annual scheduled inspection of the imaging department's joint training. 年度例行检查。"
ENTERPRISE_SCOPE = "Unannounced check of practice-hour sign-off at the CT R&D lab. 实践学时审核突击检查。"
INSTITUTE_SCOPE = "Unannounced check before the first placement at the MR physics lab. 首次实践前突击检查。"


def _templates() -> dict[str, ChecklistTemplate]:
    templates = {}
    for name, kind, items in TEMPLATES:
        template, _created = ChecklistTemplate.objects.get_or_create(name=name, defaults={"target_kind": kind})
        for order, (aspect, code, text) in enumerate(items):
            ChecklistItem.objects.get_or_create(
                template=template, code=code, defaults={"aspect": aspect, "text": text, "order": order}
            )
        templates[kind] = template
    return templates


def _existing(partner: Partner, scope: str) -> Inspection | None:
    return Inspection.objects.filter(target_partner=partner, scope=scope).first()


def _rate(inspection: Inspection, inspector: User, ratings: dict[str, tuple[str, str]]) -> None:
    for item in inspection.template.items.all():
        if item.code in ratings:
            rating, note = ratings[item.code]
            services.checklist_record(inspection=inspection, item=item, rating=rating, note=note, by=inspector)


#: The hospital inspection's timeline, in days before the demo is loaded: planned (recorded) first, started
#: on its planned date, rated and findings recorded that day, answered and verified, closed, published today.
PLANNED_DAYS_AGO, STARTED_DAYS_AGO, ANSWERED_DAYS_AGO, VERIFIED_DAYS_AGO, CLOSED_DAYS_AGO = 30, 14, 11, 9, 7


def _hospital(template: ChecklistTemplate, users: dict[str, User]) -> None:
    partner = Partner.objects.get(short_name="AH")
    if _existing(partner, HOSPITAL_SCOPE) is not None:
        return
    office, inspector, coordinator = users["office"], users["inspector"], users["coord-hospital"]
    today = timezone.localdate()
    inspection = services.inspection_plan(
        kind=InspectionKind.SCHEDULED,
        partner=partner,
        template=template,
        planned_date=today - datetime.timedelta(days=STARTED_DAYS_AGO),
        inspectors=[inspector],
        by=office,
        scope=HOSPITAL_SCOPE,
    )
    services.inspection_start(inspection=inspection, by=inspector)
    _rate(
        inspection,
        inspector,
        {
            "F1": (Rating.CONFORMING, ""),
            "F2": (Rating.CONFORMING, ""),
            "F3": (Rating.CONFORMING, "Induction record signed by every student."),
            "Q1": (Rating.MAJOR_GAP, "Entries approved in batches up to five weeks late. 学时批量延迟审核。"),
            "Q2": (Rating.MINOR_GAP, "Feedback given orally only. 仅有口头反馈。"),
            "Q3": (Rating.CONFORMING, ""),
            "R1": (Rating.CONFORMING, ""),
            "R2": (Rating.MINOR_GAP, "One milestone late without a note."),
            "R3": (Rating.NOT_APPLICABLE, "No survey this term."),
        },
    )
    placement = Placement.objects.filter(partner=partner).order_by("pk").first()
    late_logs = list(PracticeLog.objects.filter(placement=placement).order_by("date")[:3]) if placement else []
    supervisor = users["sup-hospital"]
    major = services.finding_add(
        inspection=inspection,
        severity=Severity.MAJOR,
        description="Practice-hour entries were signed off in batches, up to five weeks after the work. "
        "实践学时在五周后才批量审核。",
        placement=placement,
        supervisor=supervisor,
        practice_logs=late_logs,
        by=inspector,
    )
    minor = services.finding_add(
        inspection=inspection,
        severity=Severity.MINOR,
        description="Monthly written feedback to students is missing. 缺少每月书面反馈。",
        by=inspector,
    )
    # Its action stays open for the coordinator to answer.
    services.finding_add(
        inspection=inspection,
        severity=Severity.MINOR,
        description="A milestone passed its date without a note from the tutor or supervisor.",
        by=inspector,
    )
    services.finding_add(
        inspection=inspection,
        severity=Severity.OBSERVATION,
        description="The radiation-protection induction is exemplary. 辐射防护培训堪称典范。",
        by=inspector,
    )
    services.corrective_action_answer(
        action=major.corrective_action,
        answer="Sign-off is now weekly, every Friday; the department head checks the queue. 现每周五审核。",
        by=coordinator,
    )
    services.corrective_action_verify(action=major.corrective_action, by=inspector)
    services.corrective_action_answer(
        action=minor.corrective_action,
        answer="A feedback form is in use since this month. 本月起使用书面反馈表。",
        by=coordinator,
    )
    services.inspection_close(inspection=inspection, by=inspector)
    _move_back(inspection)
    _publish(inspection, office)


def _move_back(inspection: Inspection) -> None:
    """Move the hospital inspection's timeline back before its reports are rendered (they are frozen), so
    that nothing happens before it was planned and the report reads "7 days from closing to publication".
    Demo preparation only: the rows were written by the services a moment ago (evidence tables refuse bulk
    updates through their own manager; the base manager moves the timestamps once, here)."""
    now = timezone.now()

    def ago(days: int, hours: int = 0) -> datetime.datetime:
        return now - datetime.timedelta(days=days) + datetime.timedelta(hours=hours)

    Inspection.objects.filter(pk=inspection.pk).update(
        created_at=ago(PLANNED_DAYS_AGO), started_at=ago(STARTED_DAYS_AGO), closed_at=ago(CLOSED_DAYS_AGO)
    )
    ChecklistResult._base_manager.filter(inspection=inspection).update(recorded_at=ago(STARTED_DAYS_AGO, 2))
    Finding._base_manager.filter(inspection=inspection).update(created_at=ago(STARTED_DAYS_AGO, 3))
    actions = CorrectiveAction._base_manager.filter(finding__inspection=inspection)
    actions.filter(answered_at__isnull=False).update(answered_at=ago(ANSWERED_DAYS_AGO))
    actions.filter(verified_at__isnull=False).update(verified_at=ago(VERIFIED_DAYS_AGO))
    inspection.refresh_from_db()


def _publish(inspection: Inspection, office: User) -> None:
    """Publish and render the reports now, so the demo shows them without waiting for the worker (the
    worker, if running, then finds them ready and does nothing: the task is idempotent)."""
    from supervision.reports import report_render
    from supervision.services.publication import inspection_publish

    inspection_publish(
        inspection=inspection,
        by=office,
        summary="The department trains well; practice-hour sign-off was late and is now weekly. "
        "带教良好,学时审核曾延迟,现已改为每周审核。",
    )
    for report in InspectionReport.objects.filter(inspection=inspection, status=ReportStatus.PENDING):
        report_render(report.pk)


def _enterprise(template: ChecklistTemplate, users: dict[str, User]) -> None:
    partner = Partner.objects.get(short_name="IMG-E")
    if _existing(partner, ENTERPRISE_SCOPE) is not None:
        return
    inspector = users["inspector"]
    inspection = services.inspection_plan(
        kind=InspectionKind.SPOT,
        partner=partner,
        template=template,
        planned_date=timezone.localdate(),
        inspectors=[inspector],
        by=users["office"],
        scope=ENTERPRISE_SCOPE,
    )
    services.inspection_start(inspection=inspection, by=inspector)
    _rate(
        inspection,
        inspector,
        {
            "F1": (Rating.CONFORMING, ""),
            "F2": (Rating.CONFORMING, ""),
            "F3": (Rating.MINOR_GAP, "Induction given on day three. 第三天才进行培训。"),
            "Q1": (Rating.CONFORMING, ""),
        },
    )
    services.finding_add(
        inspection=inspection,
        severity=Severity.MINOR,
        description="Safety induction took place on the third day, not the first. 安全培训晚于第一天。",
        by=inspector,
    )


def _institute(template: ChecklistTemplate, users: dict[str, User]) -> None:
    partner = Partner.objects.get(short_name="BME-I")
    if _existing(partner, INSTITUTE_SCOPE) is not None:
        return
    services.inspection_plan(
        kind=InspectionKind.SPOT,
        partner=partner,
        template=template,
        planned_date=timezone.localdate() + datetime.timedelta(days=9),
        inspectors=[users["inspector"]],
        by=users["office"],
        scope=INSTITUTE_SCOPE,
    )


def _draw(users: dict[str, User]) -> None:
    """One spot draw of this week, made by the office, so that the draw history has an entry to open and
    recompute (one pick: the inspection it plans stays secret from its target until it starts)."""
    from supervision.services.draw import draw_run

    if SpotDraw.objects.exists():
        return
    draw_run(picks=1, by=users["office"])


def seed_supervision() -> None:
    """Checklists, the three demo inspections and one spot draw (see the module docstring)."""
    usernames = ("office", "inspector", "coord-hospital", "sup-hospital")
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    templates = _templates()
    partner_template = templates[TargetKind.PARTNER]
    _hospital(partner_template, users)
    _enterprise(partner_template, users)
    _institute(partner_template, users)
    _draw(users)
