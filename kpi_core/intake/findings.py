"""What intake tells the user besides the figures: rows skipped, warnings, and how several files were linked."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from kpi_core.messages import MESSAGES, render

MAX_EXAMPLES = 3  # example cells named in a sentence


class _Params(dict):
    """Sentence parameters where a placeholder nothing fills reads as its base parameter, or as nothing."""

    def __missing__(self, key: str) -> str:
        base = key.removesuffix("_text")
        return self[base] if base != key and base in self else ""


@dataclass
class Skipped:
    """A row left out on purpose (blank, or a summary row such as 合計 / Total), never counted as data."""

    file: str
    row: int  # as a person finds it in the file (CSV line / Excel row)
    reason: str  # "blank_row" / "summary_row"
    text: str = ""  # the cell that made it a summary row

    def message(self, lang: str = "en") -> str:
        return render(f"skip.{self.reason}", lang, text=self.text)

    def as_dict(self, lang: str = "en") -> dict[str, object]:
        return {"file": self.file, "row": self.row, "reason": self.reason, "message": self.message(lang)}


@dataclass
class IntakeWarning:
    """Cells that were read with an assumption or not read at all, while their rows still count.

    ``code`` names the sentence in kpi_core.messages ("warn.<code>"); ``params`` fill it beside file, column,
    count and examples.
    """

    file: str
    column: str | None
    code: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    params: dict[str, object] = field(default_factory=dict)

    def message(self, lang: str = "en", escape: Callable[[str], str] = str) -> str:
        """The sentence in `lang`. `escape` makes user text (file, column, example cells) inert for where it is
        shown (Markdown on a page); a code without a sentence of its own is said generally, never a KeyError."""
        params = _Params(self._sentence_params(lang, escape))
        template = MESSAGES.get(f"warn.{self.code}")
        if template is None:
            where = render("intake.where_column", lang, **params) if self.column else params["file"]
            key = "intake.generic_count" if self.count else "intake.generic"
            return render(key, lang, where=where or render("intake.the_data", lang), count=params["count"])
        return string.Formatter().vformat(template.get(lang) or template["en"], (), params)

    def _sentence_params(self, lang: str, escape: Callable[[str], str]) -> dict[str, str]:
        """The placeholders: user text escaped, counts with separators, the engine's codes in words."""
        values = {
            name: ", ".join(f"{escape(str(k))} {v:,}" for k, v in value.items())
            if isinstance(value, Mapping)  # {"USD": 12, "JPY": 3} → "USD 12, JPY 3"
            else escape(str(value))
            for name, value in self.params.items()
        }
        values.update(
            file=escape(self.file or ""),
            column=escape(self.column or ""),
            count=f"{self.count:,}",
            examples=", ".join(escape(str(e)) for e in self.examples[:MAX_EXAMPLES]),
        )
        words = {"order": "word.order", "by": "word.order_reason", "role": "role"}
        for name, prefix in words.items():
            if name in self.params:
                values[f"{'reason' if name == 'by' else name}_text"] = render(f"{prefix}.{self.params[name]}", lang)
        fit = self.params.get("fit")
        if isinstance(fit, int | float):
            values["fit"] = f"{float(fit) * 100:.0f}%"
        return values

    def as_dict(self, lang: str = "en") -> dict[str, object]:
        return {
            "file": self.file,
            "column": self.column,
            "code": self.code,
            "message": self.message(lang),
            "count": self.count,
            "examples": list(self.examples),
            **({"params": dict(self.params)} if self.params else {}),
        }


@dataclass
class Link:
    """How one file joined the base file: on which key, in which relation, and how many of its rows matched."""

    file: str
    key: str
    relation: str  # "many_to_one" (this file is the parent), "one_to_many", "one_to_one", "bookings"
    matched: int
    unmatched: int

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "key": self.key,
            "relation": self.relation,
            "matched": self.matched,
            "unmatched": self.unmatched,
        }
