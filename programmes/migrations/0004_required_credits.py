"""``RequiredCredits``: each programme's credit requirements summed, as a database view (ADR 0071).

The same SQL on PostgreSQL and SQLite. The model is unmanaged: Django neither creates nor flushes it; this
migration creates the view and reversing drops it.
"""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models

CREATE_VIEW = """
CREATE VIEW programmes_requiredcredits AS
SELECT programme_id, SUM(credits) AS total
FROM programmes_creditrequirement
GROUP BY programme_id
"""

DROP_VIEW = "DROP VIEW programmes_requiredcredits"


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0003_office_admin_permissions"),
    ]

    operations = [
        migrations.RunSQL(CREATE_VIEW, DROP_VIEW),
        migrations.CreateModel(
            name="RequiredCredits",
            fields=[
                (
                    "programme",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="required_credits",
                        serialize=False,
                        to="programmes.programme",
                    ),
                ),
                ("total", models.DecimalField(decimal_places=1, max_digits=7, verbose_name="credits required")),
            ],
            options={
                "verbose_name": "credits required",
                "verbose_name_plural": "credits required",
                "db_table": "programmes_requiredcredits",
                "managed": False,
            },
        ),
    ]
