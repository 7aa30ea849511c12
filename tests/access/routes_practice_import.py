"""Request bodies for the practice file import's routes of the matrix (docs/permissions.md, "Practice hours
(pages)" and "Practice hours (API, export)").

The body is a CSV file of one entry of student A at placement A yesterday (placement A is first moved to
run around today: the import works on the real today). Whoever may log hours somewhere reaches the routes:
supervisor A and student A import it (the page shows the checked row, the API imports it); supervisor B and
student B are answered with the row refused (the page: 200; the API: 400). Everybody else gets a 404.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from programmes.models import ActivityCategory
from students.models import Placement
from tests.conftest import World


def _file(world: World) -> dict[str, Any]:
    today = timezone.localdate()
    Placement.objects.filter(pk=world.placement_a.pk).update(
        start_date=today - datetime.timedelta(days=30), end_date=today + datetime.timedelta(days=30)
    )
    ActivityCategory.objects.get_or_create(
        programme=world.programme, code="matrix-import", defaults={"name": "Matrix import"}
    )
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    header = "student_number,date,hours,category,reference"
    data = f"{header}\r\n{world.student_a.student_number},{yesterday},2,matrix-import,m1\r\n"
    return {"file": SimpleUploadedFile("hours.csv", data.encode(), content_type="text/csv")}


BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "practice:import": _file,
    "api:practice-import-list": _file,
}
