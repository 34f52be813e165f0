"""The health check's sentences: ja and en in step, same placeholders, natural Japanese without English words."""

from __future__ import annotations

import re
import string

from kpi_core.health.messages import HEALTH_MESSAGES
from kpi_core.messages import MESSAGES
from tests.bilingual import ALLOWED_TOKENS

ALLOWED = ALLOWED_TOKENS | {"SMART", "ID"}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_keys_prefixed_and_both_languages():
    for key, entry in HEALTH_MESSAGES.items():
        assert key.startswith("health."), key
        assert set(entry) == {"ja", "en"}, key
        assert entry["ja"].strip() and entry["en"].strip(), key


def test_placeholders_in_step():
    for key, entry in HEALTH_MESSAGES.items():
        assert _placeholders(entry["ja"]) == _placeholders(entry["en"]), key


def test_no_english_words_in_japanese():
    for key, entry in HEALTH_MESSAGES.items():
        bare = re.sub(r"\{[^}]*\}", " ", entry["ja"])
        words = [w for w in re.findall(r"[A-Za-z]{2,}", bare) if w not in ALLOWED]
        assert words == [], (key, words)
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", entry["ja"]), key


def test_the_health_sentences_are_part_of_the_one_catalogue():
    assert HEALTH_MESSAGES
    assert all(MESSAGES[key] is entry for key, entry in HEALTH_MESSAGES.items())
