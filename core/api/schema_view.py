"""The OpenAPI schema view (``/api/schema/``), generated once per process and language, not per request.

drf-spectacular's ``SpectacularAPIView`` runs the whole generator on every request (about a second of
CPU, more under load) and renders the result again (YAML, its default format, about 0.7 s): the access
matrix's eleven requests to it cost some 40 s of CI, and each visit to the API docs page costs a worker
that long. drf-spectacular keeps no cache of its own; its documented extension point is the view's
``generator_class`` (``SpectacularAPIView.as_view(generator_class=...)``), and Django's ``cache_page``
would not help: it varies on the session cookie, so every user would generate it again.

What the schema depends on, and so the cache key:

- the active language (``?lang=`` or the ``Accept-Language``/cookie choice): descriptions and help texts
  are translated. Only the languages of ``settings.LANGUAGES`` are kept; another ``?lang=`` is generated
  every time rather than letting arbitrary values fill the memory;
- the API version (none here: ``?version=`` is kept only when it is one of DRF's ``ALLOWED_VERSIONS``);
- the generator's class, URLconf, patterns and whether it is public.

It does not depend on the user: ``SERVE_PUBLIC`` is on (the default), so drf-spectacular lists every
endpoint whatever the reader may call, and no view's serializer choice reads the user
(``tests/core/test_api_schema_cache.py`` checks the anonymous, a student's and the office's schemas are
equal). Nor on the host or scheme: no ``SERVERS`` are set, so no absolute URL of this site is written.
The schema changes only with the code, which a deploy restarts; a changed setting (tests) empties the
cache. Each rendering (YAML, JSON, per media type) is kept beside the schema it renders.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework.settings import api_settings


class Schema(dict[str, Any]):
    """A generated schema as cached, with its renderings (by renderer and media type). Read-only by
    convention: every request of the process shares it."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.rendered: dict[tuple[type[Any], str], bytes] = {}


_SCHEMAS: dict[tuple[Any, ...], Schema] = {}


def clear_schema_cache() -> None:
    """Forget every cached schema (the next request generates it again)."""
    _SCHEMAS.clear()


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    # A test that overrides a setting (the URLconf, drf-spectacular's settings, the languages) may change
    # the schema: start again.
    clear_schema_cache()


class CachedSchemaGenerator(SchemaGenerator):
    """drf-spectacular's generator, run once per cache key (the module docstring) in this process."""

    def _key(self, request: Any, public: bool) -> tuple[Any, ...] | None:
        language = translation.get_language()
        if language not in {code for code, _name in settings.LANGUAGES}:
            return None
        version = self.api_version or getattr(request, "version", None)
        if version is not None and version not in (api_settings.ALLOWED_VERSIONS or ()):
            return None
        urlconf = self.urlconf if self.urlconf is None or isinstance(self.urlconf, str) else id(self.urlconf)
        patterns = None if self.patterns is None else id(self.patterns)
        return (type(self), language, version, public, urlconf, patterns)

    def get_schema(self, request: Any = None, public: bool = False) -> dict[str, Any]:
        key = self._key(request, public)
        cached = _SCHEMAS.get(key) if key is not None else None
        if cached is None:
            cached = Schema(super().get_schema(request=request, public=public))
            if key is not None:
                _SCHEMAS[key] = cached
        return cached


class _RendersOnce:
    """Renders a cached ``Schema`` once per media type; anything else (an error answer) as usual."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> Any:
        parent: Any = super()
        if not isinstance(data, Schema):
            return parent.render(data, accepted_media_type, renderer_context)
        # The JSON indent comes from the media type's parameters; nothing else of the request changes it.
        key = (type(self), accepted_media_type or "")
        body = data.rendered.get(key)
        if body is None:
            # A plain dict: the YAML dumper has no representer for a subclass.
            body = data.rendered[key] = parent.render(dict(data), accepted_media_type, renderer_context)
        return body


class YamlRenderer(_RendersOnce, OpenApiYamlRenderer):
    pass


class YamlRenderer2(_RendersOnce, OpenApiYamlRenderer2):
    pass


class JsonRenderer(_RendersOnce, OpenApiJsonRenderer):
    pass


class JsonRenderer2(_RendersOnce, OpenApiJsonRenderer2):
    pass


class SchemaView(SpectacularAPIView):
    """``SpectacularAPIView`` with the cached generator and renderers (same formats, same negotiation)."""

    generator_class = CachedSchemaGenerator
    renderer_classes = [YamlRenderer, YamlRenderer2, JsonRenderer, JsonRenderer2]
