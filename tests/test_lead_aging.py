"""Lead ageing: open leads by age band and level, and the oldest un-progressed ones (by hand from a fixture, and
with plain pandas from the marketing sample)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from kpi_core.intake.load import FileInput, load_dataset
from kpi_core.lead_aging import BANDS, band_of, has_deals, has_lead_levels, lead_aging
from kpi_core.metrics import Filters

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
# As of 2024-12-31 (the last date: lead 9's close): ages 365, 200, 100, 60, 10, 400 and 5 days.
LEADS = """id,stage,created,closed,owner
1,Lead,2024-01-01,,Aoi
2,MQL,2024-06-14,,Aoi
3,SQL,2024-09-22,,Ken
4,Lead,2024-11-01,,Ken
5,Lead,2024-12-21,,Aoi
6,Lead,2023-12-27,,Ken
7,Opportunity,2024-12-26,,Aoi
8,Disqualified,2024-02-01,2024-03-01,Ken
9,Closed Won,2024-10-01,2024-12-31,Aoi
"""


def dataset(tmp_path: Path, text: str = LEADS):
    path = tmp_path / "leads.csv"
    path.write_text(text, encoding="utf-8")
    return load_dataset([FileInput("leads.csv", path)])


def cells(aging) -> dict[tuple[str, int], int]:
    return {(r.level, r.band): r.count for r in aging.counts.itertuples() if r.count}


def test_bands() -> None:
    assert [band_of(d) for d in (-3, 0, 30, 31, 90, 91, 180, 181, 365, 366, 5000)] == [0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert BANDS[0] == (0, 30) and BANDS[-1] == (366, None)


def test_open_leads_by_band_and_level(tmp_path: Path) -> None:
    data = dataset(tmp_path)
    assert has_lead_levels(data) and has_deals(data)
    aging = lead_aging(data)
    assert aging.as_of == dt.date(2024, 12, 31)
    # Open leads below the deal: 1 (365 d), 2 (200), 3 (100), 4 (60), 5 (10), 6 (370); the open opportunity 7,
    # the disqualified 8 and the won 9 are not leads.
    assert aging.total == 6
    assert aging.by_level == {"lead": 4, "mql": 1, "sql": 1}
    assert cells(aging) == {
        ("lead", 3): 1,
        ("mql", 3): 1,
        ("sql", 2): 1,
        ("lead", 1): 1,
        ("lead", 0): 1,
        ("lead", 4): 1,
    }
    assert aging.median_age == (100 + 200) / 2  # 10, 60, 100, 200, 365, 370
    assert aging.older_than(365) == 1 and aging.older_than(180) == 3
    with pytest.raises(ValueError):
        aging.older_than(100)
    # Oldest still at the first level: 6 (370 d), 1 (365), 4 (60), 5 (10).
    assert list(aging.oldest["id"]) == ["6", "1", "4", "5"]
    assert list(aging.oldest["age_days"]) == [370, 365, 60, 10]
    assert aging.first_level == "lead" and aging.unprogressed == 4


def test_filters_and_as_of(tmp_path: Path) -> None:
    data = dataset(tmp_path)
    ken = lead_aging(data, filters=Filters(roles={"owner": ["Ken"]}))
    assert ken.by_level == {"lead": 2, "mql": 0, "sql": 1}  # 4, 6 and 3
    early = lead_aging(data, as_of=dt.date(2024, 7, 1))  # created by then: 1 (182 d), 2 (17), 6 (187)
    assert early.total == 3 and cells(early) == {("lead", 3): 2, ("mql", 0): 1}


def test_a_deal_list_has_no_lead_ageing() -> None:
    sales = load_dataset([FileInput("sales_deals_ja.csv", SAMPLES / "sales_deals_ja.csv")])
    assert not has_lead_levels(sales)
    assert lead_aging(sales).total == 0


def test_the_marketing_sample_matches_plain_pandas() -> None:
    raw = pd.read_csv(SAMPLES / "marketing_leads_en.csv", dtype=str, keep_default_na=False)
    created = pd.to_datetime(raw["Create Date"].str[:10])
    closed = pd.to_datetime(raw["Close Date"].replace("", None).str[:10])
    as_of = max(created.max(), closed.max())
    open_leads = raw["Lifecycle Stage"].isin(["Lead", "MQL", "SQL"])
    ages = (as_of - created[open_leads]).dt.days
    aging = lead_aging(load_dataset([FileInput("marketing_leads_en.csv", SAMPLES / "marketing_leads_en.csv")]))
    assert aging.as_of == as_of.date()
    assert aging.total == int(open_leads.sum())
    assert aging.by_level == {
        level: int((raw["Lifecycle Stage"] == name).sum())
        for level, name in (("lead", "Lead"), ("mql", "MQL"), ("sql", "SQL"))
    }
    assert aging.older_than(365) == int((ages > 365).sum())
    assert aging.median_age == float(ages.median())
    first = raw["Lifecycle Stage"] == "Lead"
    oldest_age = int((as_of - created[first]).dt.days.max())
    assert int(aging.oldest["age_days"].iloc[0]) == oldest_age
