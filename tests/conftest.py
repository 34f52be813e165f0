"""Shared fixtures: the real public datasets in ../shared/datasets and the `realdata` marker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATASETS = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "realdata: uses ../shared/datasets (a failure, not a skip, when CI=true)")


def _dataset_dir(folder: str, required: tuple[str, ...]) -> Path:
    """The dataset folder; a missing file skips locally and fails under CI (CI=true)."""
    path = DATASETS / folder
    missing = [name for name in required if not (path / name).is_file()]
    if missing:
        message = f"real dataset missing: {path} ({', '.join(missing)}); see ../shared/datasets/README.md"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def maven_dir() -> Path:
    return _dataset_dir("maven_crm_sales", ("sales_pipeline.csv",))


@pytest.fixture(scope="session")
def olist_dir() -> Path:
    return _dataset_dir(
        "olist_marketing_funnel",
        ("olist_marketing_qualified_leads_dataset.csv", "olist_closed_deals_dataset.csv"),
    )


@pytest.fixture(scope="session")
def xedu_dir() -> Path:
    return _dataset_dir("xeducation_leads", ("Leads.csv",))
