"""The graduate office's group gets the admin permissions for what it manages (issue 10).

The office works in the pages; the admin is where it keeps reference data and schedules the pages link to
(partners and their sites, checklists, the periodic tasks of the spot draw and the reminders) and reads
the rest of its remit. Writes with rules of their own (status changes, programme requirements with their
versions, inspections, plans) stay in the pages and services: here the office gets "view" on them only,
and those admins refuse changes anyway. Nothing of the wellbeing app is granted, now or later.

Permissions are created here (Django creates them only after all migrations ran), so this works on a new
database as on an existing one. Reversing removes exactly these grants from the group.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

OFFICE_GROUP = "office"  # accounts.roles.PlatformRole.OFFICE

VIEW, CHANGE, ADD = ("view",), ("view", "change"), ("view", "change", "add")

#: app label -> model -> actions
OFFICE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "partners": {"partner": ADD, "site": ADD, "membership": VIEW, "partnerstatuschange": VIEW},
    "programmes": {
        "programme": VIEW,
        "objective": VIEW,
        "participation": VIEW,
        "creditrequirement": VIEW,
        "activitycategory": VIEW,
        "milestonetemplate": VIEW,
        "cohort": VIEW,
        "agreement": VIEW,
        "agreementparty": VIEW,
        "requirementsversion": VIEW,
    },
    "students": {
        "student": VIEW,
        "trainingplan": VIEW,
        "planversion": VIEW,
        "planevent": VIEW,
        "placement": VIEW,
        "placementoverride": VIEW,
        "milestone": VIEW,
    },
    "practice": {"ruleset": CHANGE, "monthreopening": VIEW, "practicelog": VIEW},
    "supervision": {
        "checklisttemplate": ADD,
        "checklistitem": ADD,
        "inspection": VIEW,
        "checklistresult": VIEW,
        "finding": VIEW,
        "correctiveaction": VIEW,
        "inspectionreport": VIEW,
    },
    "django_celery_beat": {
        "periodictask": CHANGE,
        "crontabschedule": ADD,
        "intervalschedule": VIEW,
        "clockedschedule": VIEW,
        "solarschedule": VIEW,
    },
    "django_celery_results": {"taskresult": VIEW},
}


def _permissions(apps: Any) -> list[Any]:
    permission_model = apps.get_model("auth", "Permission")
    for app_config in apps.get_app_configs():
        if app_config.label in OFFICE_PERMISSIONS:
            original = getattr(app_config, "models_module", None)
            app_config.models_module = original or True  # historical apps have none; create_permissions needs one
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = original
    found = []
    for app_label, models in OFFICE_PERMISSIONS.items():
        assert app_label != "wellbeing"  # never: individual wellbeing records are counsellors' alone
        for model, actions in models.items():
            codenames = [f"{action}_{model}" for action in actions]
            found.extend(
                permission_model.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )
    return found


def grant(apps: Any, schema_editor: Any) -> None:
    group_model = apps.get_model("auth", "Group")
    group, _created = group_model.objects.get_or_create(name=OFFICE_GROUP)
    group.permissions.add(*_permissions(apps))


def revoke(apps: Any, schema_editor: Any) -> None:
    group = apps.get_model("auth", "Group").objects.filter(name=OFFICE_GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("programmes", "0002_programme_setup"),
        ("partners", "0003_membership_finance_role"),
        ("students", "0005_programme_setup"),
        ("practice", "0003_rename_beat_tasks"),
        ("supervision", "0006_rename_beat_tasks"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("django_celery_results", "0014_alter_taskresult_status"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
