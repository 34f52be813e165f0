"""Answers remembered per loaded dataset (kpi_core.dataset_memo), and that the engine's figures do not change when
they come from it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

import kpi_core.pivots
from kpi_core.dataset_memo import filters_key, remembered
from kpi_core.goals import load_goals, template_text
from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.metrics import Filters
from kpi_core.pipeline import data_as_of
from kpi_core.pivots import parse_setting, pivots_for_goals

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 15)


def sales():
    path = ROOT / "sample_data" / "sales_deals_ja.csv"
    return load_dataset([FileInput(path.name, path)])


class Counted:
    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def test_computed_once_per_dataset_and_key(tmp_path: Path):
    path = tmp_path / "d.csv"
    path.write_text("id,stage,created,closed,amount\n1,Won,2025-01-01,2025-01-05,10\n", encoding="utf-8")
    data = load_dataset([FileInput("d.csv", path)])
    compute = Counted(["answer"])
    first = remembered(data, ("k", 1), compute)
    assert remembered(data, ("k", 1), compute) is first and compute.calls == 1
    remembered(data, ("k", 2), compute)
    assert compute.calls == 2
    # A copy made with dataclasses.replace (as backtest.snapshot_at cuts the data) remembers nothing.
    copy = dataclasses.replace(data)
    remembered(copy, ("k", 1), compute)
    assert compute.calls == 3


def test_the_oldest_answers_go_first(tmp_path: Path):
    path = tmp_path / "d.csv"
    path.write_text("id,stage,created,closed,amount\n1,Won,2025-01-01,2025-01-05,10\n", encoding="utf-8")
    data = load_dataset([FileInput("d.csv", path)])
    compute = Counted(0)
    for key in range(4):
        remembered(data, key, compute, limit=3)
    assert compute.calls == 4
    remembered(data, 3, compute, limit=3)  # still kept
    assert compute.calls == 4
    remembered(data, 0, compute, limit=3)  # the first one was dropped
    assert compute.calls == 5


def test_filters_key():
    day = dt.date(2025, 1, 1)
    assert filters_key(None) == filters_key(Filters()) == (None, None, ())
    assert filters_key(Filters(roles={"channel": []})) == filters_key(Filters())  # an empty role filters nothing
    assert filters_key(Filters(start=day, roles={"owner": ["a"], "channel": ["web"]})) == (
        day,
        None,
        (("channel", ("web",)), ("owner", ("a",))),
    )
    assert filters_key(Filters(roles={"owner": [None]})) != filters_key(Filters())


def test_a_remembered_report_is_the_report(monkeypatch: pytest.MonkeyPatch):
    goals = load_goals(template_text("sales", "ja"))
    settings = [parse_setting("avg_unit_price=+0%")]
    fresh = pivots_for_goals(goals, sales(), AS_OF, settings=settings, target_mode="catch_up")
    data = sales()
    first = pivots_for_goals(goals, data, AS_OF, settings=settings, target_mode="catch_up")
    calls = []
    original = kpi_core.pivots.compute_kpis
    monkeypatch.setattr(kpi_core.pivots, "compute_kpis", lambda *a, **k: calls.append(k) or original(*a, **k))
    again = pivots_for_goals(goals, data, AS_OF, settings=settings, target_mode="catch_up")
    assert calls == []  # every window and breakdown was remembered
    assert again.as_dict() == first.as_dict() == fresh.as_dict()
    assert data_as_of(data) == data_as_of(sales())
