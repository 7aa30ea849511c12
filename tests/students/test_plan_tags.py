"""The plan timeline's month ticks, built in Python (``students.templatetags.plan_tags``): the same markup
the template loop wrote, in English and in Chinese (the month's short name is translated)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from students.selectors.timeline import plan_timeline
from tests.conftest import World

pytestmark = pytest.mark.django_db

#: The loop the tag replaced, as ``students/_plan_timeline.html`` had it.
_LOOP = Template(
    "{% load l10n %}{% localize off %}{% for tick in tl.ticks %}"
    '<line x1="{{ tick.x }}" x2="{{ tick.x }}" y1="{% if tick.labelled %}16{% else %}28{% endif %}" '
    'y2="{{ tl.height }}" stroke="{% if tick.labelled %}#c5ccd3{% else %}#e6eaee{% endif %}" stroke-width="1"/>\n'
    '{% if tick.show_year %}<text x="{{ tick.text_x }}" y="12" font-weight="600" fill="#3d4751">'
    '{{ tick.day|date:"Y" }}</text>\n{% endif %}'
    '{% if tick.labelled %}<text x="{{ tick.text_x }}" y="28" fill="#5f6b76" font-size="10">'
    '{{ tick.day|date:"M" }}</text>\n{% endif %}'
    "{% endfor %}{% endlocalize %}"
)
_TAG = Template("{% load plan_tags %}{% timeline_ticks tl %}")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_ticks_are_the_markup_the_template_loop_wrote(world: World, language: str) -> None:
    timeline = plan_timeline(student=world.student_a, placements=[], milestones=[], today=world.student_a.enrolled_on)
    assert len(timeline.ticks) > 12  # a programme of years: labelled and plain ticks, two years at least
    assert {tick.labelled for tick in timeline.ticks} == {True, False}
    assert sum(tick.show_year for tick in timeline.ticks) >= 2

    with translation.override(language):
        expected = _LOOP.render(Context({"tl": timeline}))
        built = _TAG.render(Context({"tl": timeline}))

    assert built == expected
