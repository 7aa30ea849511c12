"""``make bench``'s funds scenario, smoke-tested on a few hundred rows: the load makes valid entries, the first
nightly check raises flags and the second none, the running totals match the entries, and every measurement
runs. No timing is asserted."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bench.funds import measure, populate_funds
from bench.practice import populate
from funds.models import Expenditure, Flag
from funds.selectors import spending_totals_mismatches
from funds.services import flags_refresh
from programmes.models import Programme

pytestmark = pytest.mark.django_db


def test_funds_bench_loads_flags_and_measures_on_a_few_hundred_rows() -> None:
    today = timezone.localdate()
    population = populate(students=3, partners=2, supervisors_per_partner=1, today=today, prefix="smoke")
    programme = Programme.objects.get(pk=population.programme_id)
    assert populate_funds(programme=programme, expenditures=300, today=today, prefix="smoke") == 300
    assert spending_totals_mismatches() == []  # the load rebuilt the running totals from its entries
    for expenditure in Expenditure.objects.all()[:50]:
        expenditure.full_clean()
    assert flags_refresh(today=today) > 0
    assert flags_refresh(today=today) == 0
    results = measure(runs=1, warmup=0, prefix="smoke")
    assert [r.name[:3] for r in results] == ["(e)", "(g)", "(f)"]
    assert all(r.median > 0 and r.floor_median > 0 for r in results)
    assert Flag.objects.exists()
