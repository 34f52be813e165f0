"""Constants of the pivot engine and its input error."""

from __future__ import annotations

from typing import Any

from kpi_core.messages import Sentence, render

KGI = "won_revenue"
IDENTITY_TOLERANCE = 0.01  # |residual| above 1 % of actual revenue is flagged
HISTORY_MONTHS = 18  # "seen in 2 of the last 18 months"
GROUP_MONTHS = 12  # owners / segments / channels are judged over the trailing 12 months
GROUP_MIN_RECORDS = 10  # a rep with 3 deals proves nothing
GROUP_ROLES = ("owner", "segment", "channel")
TRAILING_MONTHS = 3  # rates for the rest of a period, and each Goodhart window
GOODHART_MIN_CHANGE = 0.05  # relative change that counts as "up" or "down"
CORRELATION_MONTHS = 24
CORRELATION_MIN_MONTHS = 12
CORRELATION_MAX_LAG = 3  # months a leading KPI may take to show in revenue
NEGATIVE_CORRELATION = -0.3
MONTHS_IN = {"week": 12 / 52, "month": 1.0, "quarter": 3.0, "year": 12.0}


class PivotInputError(ValueError):
    """Input the pivot engine cannot use (unknown lever, bad --set value): one sentence for the user.

    ``key`` names the sentence in kpi_core.messages ("pivot_input.not_a_lever", …), filled from ``params``;
    str() is the English sentence and ``message(lang)`` the sentence in ja / en.
    """

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.code = key
        self.params = params
        self.message = Sentence(lambda lang: render(key, lang, **params))
        super().__init__(str(self.message))
