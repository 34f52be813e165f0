"""An as-of date the data cannot be measured at is one sentence on every goal page, never a crash or a formula blame."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from test_app_expected import APP, TIMEOUT


@pytest.mark.parametrize("asof", ["2999-12-31", "9999-12-31", "1901-01-01"])
@pytest.mark.parametrize("page", ["pages/4_Goals.py", "pages/5_Pacing.py", "pages/6_Pivots.py"])
@pytest.mark.parametrize(("lang", "words"), [("en", "outside the data"), ("ja", "データの期間")])
def test_an_as_of_date_outside_the_data_is_one_sentence(asof: str, page: str, lang: str, words: str) -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"lang": lang, "asof": asof})
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    [error] = at.error
    assert asof in error.value and words in error.value
