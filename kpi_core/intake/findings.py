"""What intake tells the user besides the figures: rows skipped, warnings, and how several files were linked."""

from __future__ import annotations

from dataclasses import dataclass, field

from kpi_core.messages import render


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

    def message(self, lang: str = "en") -> str:
        return render(
            f"warn.{self.code}",
            lang,
            file=self.file,
            column=self.column or "",
            count=f"{self.count:,}",
            examples=", ".join(self.examples[:3]),
            **self.params,
        )

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
