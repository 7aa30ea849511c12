"""Template filters of the funds pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from funds.models import Category
from funds.services import money as _money

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    """``35,000`` or ``35,000.50``; empty for no value."""
    return "" if value is None or value == "" else _money(Decimal(value))


@register.filter
def category_label(code: str) -> str:
    return str(dict(Category.choices).get(code, code))
