"""Rows read as ``values()`` (a compiled statement's, ``core.compiled.Compiled.dicts``) made into model
instances as the queryset's ``select_related`` would make them.

A statement compiled once per process (ADR 0053, ADR 0060) answers dicts; the pages around it read model
instances with their related rows cached (``inspection.target_partner.name``, ``student.plan``), as the
queryset the statement replaces gave them. ``Loaded`` names the columns to read and builds the instances:
the same ``from_db`` calls and the same caches (a null related row cached as None, a one-to-one's other
side cached too), so a page reads the same attributes without another query.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models


@cache
def _attnames(model: type[models.Model]) -> tuple[str, ...]:
    """A model's columns, in ``from_db``'s order (read once: the models do not change in a process)."""
    return tuple(field.attname for field in model._meta.concrete_fields)


def _model(model: type[models.Model], path: str) -> type[models.Model]:
    for name in path.split("__"):
        model = model._meta.get_field(name).related_model  # type: ignore[assignment]
    return model


class Loaded:
    """Rows of ``model`` read with ``values(*columns)``, made into instances as ``select_related(*related)``
    makes them (a parent path before its children): each related row cached on its parent (None when its key
    is null, and its own related rows then not set; a one-to-one's other side cached on it), then ``extra``
    set as attributes (the annotations)."""

    def __init__(self, model: type[models.Model], related: tuple[str, ...], extra: tuple[str, ...] = ()) -> None:
        self.model, self.related, self.extra = model, related, extra
        self.paths: list[tuple[str, str, Any, type[models.Model]]] = []
        for path in related:
            parent, _sep, name = path.rpartition("__")
            field = (_model(model, parent) if parent else model)._meta.get_field(name)
            self.paths.append((path, parent, field, _model(model, path)))
        names = list(_attnames(model))
        for path in related:
            names += [f"{path}__{attname}" for attname in _attnames(_model(model, path))]
        #: the ``values()`` names to read
        self.columns: tuple[str, ...] = (*names, *extra)

    def instance(self, row: dict[str, Any], using: str) -> Any:
        own = _attnames(self.model)
        made: dict[str, models.Model | None] = {"": self.model.from_db(using, list(own), [row[name] for name in own])}
        for path, parent, field, model in self.paths:
            owner = made[parent]
            if owner is None:
                made[path] = None
                continue
            names = _attnames(model)
            related = None
            if row[f"{path}__{model._meta.pk.attname}"] is not None:  # type: ignore[union-attr]
                related = model.from_db(using, list(names), [row[f"{path}__{attname}"] for attname in names])
                _set_other_side(field, related, owner)
            field.set_cached_value(owner, related)
            made[path] = related
        found = made[""]
        for name in self.extra:
            setattr(found, name, row[name])
        return found


def _set_other_side(field: Any, related: models.Model, owner: models.Model) -> None:
    """What ``select_related`` caches on the related row: its owner, across a one-to-one (either way)."""
    if field.one_to_one:
        if field.concrete:  # a forward one-to-one: the related row's reverse accessor
            field.remote_field.set_cached_value(related, owner)
        else:  # a reverse one-to-one (``student.plan``): the plan's ``student``
            field.field.set_cached_value(related, owner)
