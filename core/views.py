"""The scoped base for pages (views and functions that always scope), the per-role start page, the
notification inbox, and the health check."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView, ListView, TemplateView
from rest_framework.request import Request

from accounts.models import User
from core.models import Notification
from partners import access

M = TypeVar("M", bound=Model)
R = TypeVar("R")


# --- The scoped base for pages -------------------------------------------------------------------------
# Every page fetches its domain objects here, through ``access.scope``: a row out of the user's scope for
# the page's action is a 404 (the row seems not to exist) and the denial is kept, as the API does
# (core/api/viewsets.py). Class-based pages use ``ScopedObjectMixin`` and the views built on it;
# function-style needs (a ``View`` with its own ``get``/``post``, a second object on a page) call
# ``scoped_object``. ``docs/decisions/0009-pages-on-the-scoped-base.md`` has the pattern and an example.


def request_user(request: HttpRequest | Request) -> User:
    """The signed-in user of a page behind ``LoginRequiredMixin`` (or of an API view behind
    ``IsAuthenticated``), typed as a ``User``.

    Pages pass it to services (``by=``), which want a real user; an anonymous request never gets this
    far (the login redirect comes first), and if one did it is refused rather than passed on."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user  # type: ignore[return-value]


def _label(model: type[Model], lookup: Mapping[str, Any]) -> str:
    """How a denial names what was asked for: ``Model:pk`` for one pk, else ``Model:field=value,...``."""
    if set(lookup) == {"pk"}:
        return f"{model.__name__}:{lookup['pk']}"
    return f"{model.__name__}:" + ",".join(f"{key}={value}" for key, value in lookup.items())


def not_found(request: HttpRequest, action: str, target: object) -> Http404:
    """Record the denial of ``action`` on ``target`` and return the 404 to raise (``raise not_found(...)``)."""
    access.record_denial(request.user, action, target)
    return Http404()


def require_or_404(request: HttpRequest, action: str, obj: Model | type[Model]) -> None:
    """404 (with the denial recorded) unless the user may ``action`` on ``obj``; given a model class, on any
    row of it (e.g. ``create``). Pages answer 404 rather than 403, so a page never confirms what it hides."""
    if not access.can(request.user, action, obj):
        raise not_found(request, action, obj)


def scoped_queryset(request: HttpRequest, model_or_qs: type[M] | QuerySet[M], action: str = "view") -> QuerySet[M]:
    """The rows of a model (or of a queryset) the user may ``action`` on."""
    # A fresh copy: a queryset kept on a class or module must never cache rows between requests.
    queryset = model_or_qs.all() if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    return access.scope(queryset, request.user, action)


def scoped_object(request: HttpRequest, model_or_qs: type[M] | QuerySet[M], action: str = "view", **lookup: Any) -> M:
    """The one row matching ``lookup`` among those the user may ``action`` on, else 404 with the denial
    recorded. A lookup value of the wrong type (``?answer=abc``) is a 404 too, never a 500.

    Pass a queryset to add ``select_related`` or to narrow the rows (the scope still applies). Write pages
    ask for the write action directly: a row the user may see but not act on is a 404 as well."""
    return _one_or_404(request, scoped_queryset(request, model_or_qs, action), action, lookup)


def _one_or_404(request: HttpRequest, scoped: QuerySet[M], action: str, lookup: Mapping[str, Any]) -> M:
    """The row of the already scoped ``scoped`` matching ``lookup``, else 404 with the denial recorded."""
    try:
        found = scoped.filter(**lookup).first()
    except (TypeError, ValueError, ValidationError):
        found = None
    if found is None:
        raise not_found(request, action, _label(scoped.model, lookup))
    return found


class ScopedObjectMixin(LoginRequiredMixin):
    """The scoped base of every page: ``get_queryset()`` is the model's rows (or ``queryset``'s) in the
    user's scope for ``access_action``; ``get_object()`` the one named by the URL's ``pk``, else a 404 with
    the denial recorded. Modelled on NetBox's ``BaseObjectView.get_queryset()`` and its ``restrict()``."""

    model: Any = None
    queryset: Any = None
    request: HttpRequest
    kwargs: dict[str, Any]
    #: the access action the page needs on its objects
    access_action = "view"
    #: the URL keyword naming the object
    pk_url_kwarg = "pk"

    def get_queryset(self) -> QuerySet[Any]:
        """The rows the page may show, scoped. Override to add ``select_related`` (still through here) or
        return a selector's queryset, which starts from the scoped queryset itself."""
        parent = getattr(super(), "get_queryset", None)
        if parent is not None:  # a generic list or detail view: its model, queryset and ordering
            base = parent()
        elif self.queryset is not None:
            base = self.queryset.all()
        elif self.model is not None:
            base = self.model._default_manager.all()
        else:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model or a queryset.")
        return access.scope(base, self.request.user, self.access_action)

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Any:
        """The row the URL names, among those in scope; else 404, the denial recorded."""
        user, action = self.request.user, self.access_action
        rows = self.get_queryset() if queryset is None else access.scope(queryset, user, action)
        return _one_or_404(self.request, rows, action, {"pk": self.kwargs.get(self.pk_url_kwarg)})


class ScopedListView(ScopedObjectMixin, ListView):  # type: ignore[type-arg]
    """A list of the rows in the user's scope."""


class FilteredListMixin:
    """A list narrowed by a GET filter form built for its reader (``filter_form_class(data, user=...)`` with
    a ``filters()`` method, e.g. ``programmes.forms.ProgrammeFilterForm``): the quality dashboard's drill
    links land on such lists with the figure's programme, cohort, year and state in the address. The form,
    whether anything is filtered and the query without the page (for the pagination links, so the next page
    keeps the filters) go to the page."""

    request: HttpRequest
    filter_form_class: type[Any]

    def list_filters(self) -> dict[str, Any]:
        """The reader's valid filters (call once, from ``get_queryset``)."""
        self.filter_form = self.filter_form_class(self.request.GET or None, user=self.request.user)
        filters: dict[str, Any] = self.filter_form.filters()
        return filters

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=self.filter_form,
            filtered=any(value for key, value in self.request.GET.items() if key != "page"),
            query_string=query.urlencode(),
        )
        return context


class ScopedDetailView(ScopedObjectMixin, DetailView):  # type: ignore[type-arg]
    """One row in the user's scope, else 404."""


class ScopedFormView(ScopedObjectMixin, FormView):  # type: ignore[type-arg]
    """A page with one form about one row in scope for ``access_action``: ``self.object`` is fetched before
    GET and POST (out of scope: 404), a valid form goes to ``form_valid``, which calls one service through
    ``run_service`` and redirects; a refusal lands on the form, with what was typed kept.

    Without the URL's ``pk`` the page is about the model as a whole (e.g. ``access_action = "create"``):
    the user needs the action on any row of it, else 404, and ``self.object`` is None."""

    object: Any = None

    def fetch(self) -> None:
        if self.kwargs.get(self.pk_url_kwarg) is None:
            require_or_404(self.request, self.access_action, self.model)
            self.object = None
        else:
            self.object = self.get_object()

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.fetch()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.fetch()
        return super().post(request, *args, **kwargs)

    def run_service(self, form: BaseForm, call: Callable[[], R]) -> R | None:
        """Call a service; on ``ValidationError`` put its messages on the form and return None."""
        try:
            return call()
        except ValidationError as error:
            apply_validation_error(form, error)
            return None


class ScopedUpdateView(ScopedFormView):
    """A ``ScopedFormView`` whose model form edits the row: GET shows the row, POST binds the form to a
    fresh copy of it, so the service still gets the row as it was (and compares, records history)."""

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_object() if self.request.method == "POST" else self.object
        return kwargs


def apply_validation_error(form: BaseForm, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: per field where the form has it, else on top, and
    mark the fields it names as invalid (the form's own cleaning marked only the errors it found itself)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"


class StartView(LoginRequiredMixin, TemplateView):
    """The first page after login: the user's partners and roles, and what each role does next."""

    template_name = "core/start.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from core.context_processors import request_inbox
        from core.selectors import start_page_context, start_panels
        from supervision.inbox import start_counts_once

        context = super().get_context_data(**kwargs)
        context.update(start_page_context(user=self.request.user))  # type: ignore[arg-type]
        # Read once per request: the inbox's inspection lines and the navigation's badges reuse them.
        context["inspection_counts"] = start_counts_once(self.request.user)
        context["panels"] = start_panels(user=self.request.user)
        context["inbox"] = request_inbox(self.request)
        return context


class NotificationListView(ScopedListView):
    """The user's own notifications, newest first; unread ones stand out."""

    model = Notification
    template_name = "core/notifications.html"
    context_object_name = "notifications"
    paginate_by = 20

    def get_queryset(self) -> QuerySet[Any]:
        from core.selectors import notification_list

        return notification_list(user=self.request.user)  # type: ignore[arg-type]


class NotificationReadView(LoginRequiredMixin, View):
    """POST: mark one of the user's notifications read and go where it points. Another's is a 404."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from core.selectors import notification_list
        from core.services.notifications import notification_mark_read

        notification = notification_list(user=request.user).filter(pk=pk).first()
        if notification is None:
            access.record_denial(request.user, "mark_read", f"Notification:{pk}")
            raise Http404
        notification_mark_read(notification=notification, by=request.user)  # type: ignore[arg-type]
        link = notification.link
        if link and url_has_allowed_host_and_scheme(
            link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(link)
        return redirect("core:notifications")


class NotificationsReadAllView(LoginRequiredMixin, View):
    """POST: mark all of the user's notifications read."""

    def post(self, request: HttpRequest) -> HttpResponse:
        from core.services.notifications import notifications_mark_all_read

        count = notifications_mark_all_read(by=request.user)  # type: ignore[arg-type]
        if count:
            messages.success(request, _("All notifications marked as read."))
        return redirect(reverse("core:notifications"))


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """``/healthz``: 200 when the database and the broker answer and PDFs can set Chinese, 503 otherwise.

    No login, no details beyond which part is down: ``pdf_fonts`` is "missing" when the CJK font is not
    installed, since every Chinese PDF would then be refused (core/pdf.py).
    """
    from core.health import CHECKS, run_checks
    from core.pdf import cjk_font_installed

    # Side by side, within 1.5 s together: a database or broker that is hung counts as down (core.health).
    # The font is looked up once per process (importing the PDF engine takes a second); a first probe that
    # does not wait for it says "unknown", which does not count against the site.
    results = run_checks({**CHECKS, "pdf_fonts": cjk_font_installed}, optional=("pdf_fonts",))
    checks = {name: results[name] for name in CHECKS}
    fonts = results["pdf_fonts"]
    healthy = all(checks.values()) and fonts is not False
    body = {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    body["pdf_fonts"] = {True: "ok", False: "missing", None: "unknown"}[fonts]
    if settings.DEBUG:
        body["broker_url_scheme"] = settings.CELERY_BROKER_URL.split(":", 1)[0]
    return JsonResponse(body, status=200 if healthy else 503)
