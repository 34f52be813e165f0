"""The one exception the intake raises: a sentence of the ja / en catalogue plus a machine-readable code."""

from __future__ import annotations

from typing import Any

from kpi_core.messages import MESSAGES, Sentence, render


class IntakeError(Exception):
    """One clear sentence for the user: which file, what is wrong, what to do.

    ``key`` names the sentence in kpi_core.messages ("intake.empty", …), filled from ``file`` and ``params``;
    ``message`` is the English sentence (also ``str(error)``) and ``message(lang)`` the sentence in ja / en. A
    ``key`` that is not in the catalogue is taken as the sentence itself, the same in both languages.

    ``code`` is one of "empty", "binary", "too_large", "encrypted", "zip_bomb", "bad_extension",
    "no_header", "no_rows", "sheet_missing", "unreadable", "one_column", "too_many_fields", "too_many_cells",
    "too_many_columns", "line_too_long", "too_slow", and the loader's own (no_link, no_usable_rows, …): several
    sentences may share one code.
    """

    def __init__(self, key: str, /, *, code: str, file: str | None = None, **params: Any) -> None:
        self.key = key
        self.code = code
        self.file = file
        self.params = params
        self.message = Sentence(self._render)
        super().__init__(str(self.message))

    def _render(self, lang: str) -> str:
        if self.key not in MESSAGES:
            return self.key
        return render(self.key, lang, **{"file": self.file, **self.params})

    def __str__(self) -> str:
        return str(self.message)

    def __reduce__(self):  # picklable although the constructor takes keywords
        return (_intake_error, (self.key, self.code, self.file, self.params))

    def __repr__(self) -> str:
        return f"IntakeError(code={self.code!r}, file={self.file!r}, message={str(self.message)!r})"


def _intake_error(key: str, code: str, file: str | None, params: dict[str, Any]) -> IntakeError:
    return IntakeError(key, code=code, file=file, **params)
