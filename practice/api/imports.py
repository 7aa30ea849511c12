"""API for a partner's file import of practice-hour entries: ``POST /api/v1/practice-imports/`` (multipart).

The file and its rows are the page's (``/practice/import/``, ``practice.services.imports``): a CSV or XLSX
file, every row checked (shape, then the rules through the bulk service), all rows or none. ``dry_run``
checks without writing. A file with a refused row answers 400 with every row's answer in ``rows`` and
writes nothing; the same file sent again after a success answers ``duplicate`` on every row. Whoever may
not log hours at any placement gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.errors import ERROR_RESPONSE
from core.views import request_user
from practice.services import imports

_STATUSES = [
    imports.RowStatus.NEW,
    imports.RowStatus.CREATED,
    imports.RowStatus.DUPLICATE,
    imports.RowStatus.ERROR,
]


class HoursImportUploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.FileField(
        help_text="A CSV (UTF-8, with or without a BOM) or XLSX file of at most 2 MB and 2,000 rows; the first row "
        "names the columns: student_number (or username), placement (when ambiguous), date, hours (or start_time "
        "and end_time), category (the activity's code), cases, description, reference."
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Check every row and write nothing (the answer's `rows` say what would happen)."
    )


class HoursImportRowSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """What became of one row of the file."""

    row = serializers.IntegerField(help_text="The row's number in the file (the header is row 1).")
    status = serializers.ChoiceField(
        choices=_STATUSES,
        help_text="`new` (checked, a dry run), `created`, `duplicate` (imported before under its key: `id` is "
        "that entry), or `error` (refused: `rule`, `column`, `message`).",
    )
    id = serializers.IntegerField(allow_null=True)
    idempotency_key = serializers.CharField(allow_null=True, help_text="The entry's key: `file:` and the reference.")
    rule = serializers.CharField(allow_null=True, help_text="The broken rule's code, e.g. `daily_maximum`.")
    column = serializers.CharField(allow_null=True, help_text="The file's column the refusal is about.")
    message = serializers.CharField(allow_null=True)


class HoursImportCountsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    new = serializers.IntegerField()
    created = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    error = serializers.IntegerField()


class HoursImportResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    written = serializers.BooleanField(help_text="Whether the new rows were imported (false on a dry run).")
    counts = HoursImportCountsSerializer()
    rows = HoursImportRowSerializer(many=True)


class HoursImportErrorBodySerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    message = serializers.CharField()
    # A declared field leaves the class attribute to DRF's ``fields`` property (the metaclass collects it).
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]
    rows = HoursImportRowSerializer(
        many=True,
        required=False,
        help_text="Every row of the file and its answer; absent when the file itself cannot be read (`fields.file`).",
    )


class HoursImportErrorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Tandem's error format, plus ``rows``: every row of the file, the refused ones with their rule."""

    error = HoursImportErrorBodySerializer()


def _rows(result: imports.ImportResult) -> list[dict[str, Any]]:
    rows = []
    for row in result.rows:
        first = row.first_error
        rows.append(
            {
                "row": row.line,
                "status": row.status,
                "id": row.entry_id,
                "idempotency_key": row.key or None,
                "rule": first.rule if first else None,
                "column": (first.column or None) if first else None,
                "message": first.message if first else None,
            }
        )
    return rows


def _refused(result: imports.ImportResult) -> Response:
    refused = [row for row in result.rows if row.first_error is not None]
    lines = []
    for row in refused:
        first = row.first_error
        assert first is not None
        if first.column:
            label = _("Row %(row)s, %(column)s") % {"row": row.line, "column": first.column}
        else:
            label = _("Row %(row)s") % {"row": row.line}
        lines.append(f"{label}: {first.message}")
    body = {
        "code": refused[0].errors[0].rule if len(refused) == 1 else "rows_refused",
        "message": ngettext(
            "%(count)s row is refused: nothing was imported.",
            "%(count)s rows are refused: nothing was imported.",
            len(refused),
        )
        % {"count": len(refused)},
        "fields": {"file": lines},
        "rows": _rows(result),
    }
    return Response({"error": body}, status=status.HTTP_400_BAD_REQUEST)


class HoursImportViewSet(viewsets.ViewSet):
    """Import practice-hour entries from a partner's file: all rows or none."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": HoursImportUploadSerializer},
        responses={
            200: OpenApiResponse(
                HoursImportResultSerializer,
                description="Every row passed: imported (or, with `dry_run`, checked). One answer per row.",
            ),
            400: OpenApiResponse(
                HoursImportErrorSerializer,
                description="The file cannot be read (`fields.file`), or rows are refused: nothing was written, "
                "`rows` answers every row.",
            ),
            404: ERROR_RESPONSE,
        },
    )
    def create(self, request: Request) -> Response:
        """Check a file of entries and import it: every row, or none if any is refused."""
        user = request_user(request)
        # Before the body is read: whoever may not log hours anywhere gets a 404 (core.api.errors).
        imports.require_importer(user)
        serializer = HoursImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > imports.MAX_UPLOAD_BYTES:
            raise DjangoValidationError({"file": [_("The file is too large: at most 2 MB.")]})
        data = upload.read()
        try:
            if serializer.validated_data["dry_run"]:
                result = imports.import_check(data=data, by=user)
            else:
                result = imports.import_file(data=data, by=user)
        except imports.ImportRefused as refused:
            return _refused(refused.result)
        if not result.is_valid:
            return _refused(result)
        return Response({"written": result.written, "counts": result.counts, "rows": _rows(result)})
