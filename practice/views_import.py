"""The file import of practice-hour entries (``/practice/import/``): upload, check every row, confirm.

A partner's supervisor (or anybody who may log hours: ``log`` on Placement) uploads the hours their own
system keeps. The page checks every row (shape, then the rules through the bulk service) and writes nothing;
when every row passes, the same stored file is imported on confirmation, all rows or none
(``practice.services.imports``). When rows are refused the page lists each (row, column, rule, words) and
keeps the upload, so it can be checked again once the cause is fixed in Tandem (a month reopened, a
placement extended) or replaced by a corrected file. The template to fill in is ``?template=csv`` or
``?template=xlsx`` (a workbook whose date, time and number columns are typed, for partners working in Excel).
Anybody else gets a 404 on both routes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from core.forms import BootstrapFormMixin
from core.views import apply_validation_error, not_found, request_user
from practice.exports import CSV_TYPE, XLSX_TYPE
from practice.services import imports
from students.models import Placement
from students.services.imports import discard_stash, load_stash, stash_upload

TEMPLATE_NAME = "practice-hours-import"
#: ``?template=<kind>``: each template's content, and its type.
TEMPLATES = {
    "csv": (imports.template_csv, CSV_TYPE),
    "xlsx": (imports.template_xlsx, XLSX_TYPE),
}


class HoursImportForm(BootstrapFormMixin, forms.Form):
    """The file. Its content is checked by ``practice.services.imports``, not its name."""

    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        help_text=gettext_lazy("At most 2 MB and 2,000 rows. The first row names the columns."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


class HoursImportStashForm(forms.Form):
    """The signed token naming the stored upload, and what to do with it: import it, or check it again."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=500)
    action = forms.ChoiceField(choices=[("import", "import"), ("check", "check")])


def _template_download(kind: str) -> HttpResponse:
    """The template to fill in, as ``kind`` (a key of ``TEMPLATES``), as a download."""
    content, content_type = TEMPLATES[kind]
    response = HttpResponse(content(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_NAME}.{kind}"'
    return response


class _ImporterOnly(LoginRequiredMixin, View):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not imports.may_import(request_user(request)):
            raise not_found(request, "log", Placement)
        return super().dispatch(request, *args, **kwargs)


class HoursImportView(_ImporterOnly):
    """GET: the upload form and the columns (``?template=csv`` or ``?template=xlsx``: the template file).
    POST ``file``: check it (nothing written) and show every row. POST ``token`` with ``action=import``: import
    the stored file, all rows or none; ``action=check``: check the stored file again."""

    def get(self, request: HttpRequest) -> HttpResponse:
        kind = request.GET.get("template", "")
        if kind in TEMPLATES:
            return _template_download(kind)
        return self._page(HoursImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if "token" in request.POST:
            return self._stashed(request)
        form = HoursImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(form)
        upload = form.cleaned_data["file"]
        if upload.size > imports.MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is too large: at most 2 MB."))
            return self._page(form)
        data = upload.read()
        user = request_user(request)
        try:
            result = imports.import_check(data=data, by=user)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self._page(form)
        token = stash_upload(data=data, by=user)
        return self._page(HoursImportForm(), result=result, token=token, filename=upload.name)

    def _stashed(self, request: HttpRequest) -> HttpResponse:
        stash = HoursImportStashForm(request.POST)
        user = request_user(request)
        expired = _("This preview has expired or is not yours: upload the file again.")
        if not stash.is_valid():
            return self._page(HoursImportForm(), errors=[expired])
        token = stash.cleaned_data["token"]
        try:
            name, data = load_stash(token=token, by=user)
        except ValidationError as error:
            return self._page(HoursImportForm(), errors=error.messages)
        try:
            if stash.cleaned_data["action"] == "check":
                result = imports.import_check(data=data, by=user)
                return self._page(HoursImportForm(), result=result, token=token)
            result = imports.import_file(data=data, by=user)
        except imports.ImportRefused as refused:
            return self._page(HoursImportForm(), result=refused.result, token=token, changed=True)
        except ValidationError as error:
            return self._page(HoursImportForm(), errors=error.messages)
        discard_stash(name)
        created, duplicate = result.count(imports.RowStatus.CREATED), result.count(imports.RowStatus.DUPLICATE)
        messages.success(
            request,
            ngettext(
                "Import done: %(created)s entry created, %(duplicate)s already imported.",
                "Import done: %(created)s entries created, %(duplicate)s already imported.",
                created,
            )
            % {"created": created, "duplicate": duplicate},
        )
        return HttpResponseRedirect(reverse("practice:import"))

    def _page(
        self,
        form: HoursImportForm,
        *,
        result: imports.ImportResult | None = None,
        token: str = "",
        filename: str = "",
        errors: list[str] | None = None,
        changed: bool = False,
    ) -> HttpResponse:
        context = {
            "form": form,
            "errors": errors or [],
            "result": result,
            "counts": result.counts if result else {},
            "token": token,
            "filename": filename,
            "changed": changed,
            "columns": imports.COLUMNS,
            "max_rows": f"{imports.MAX_ROWS:,}",
        }
        return render(self.request, "practice/import.html", context)
