"""The one exception the intake raises: a sentence for the user plus a machine-readable code."""

from __future__ import annotations


class IntakeError(Exception):
    """One clear sentence for the user: which file, what is wrong, what to do.

    ``code`` is one of "empty", "binary", "too_large", "encrypted", "zip_bomb", "bad_extension",
    "no_header", "no_rows", "sheet_missing", "unreadable", "one_column", "too_many_fields", "too_many_cells",
    "too_many_columns", "line_too_long", "too_slow", and the loader's own (no_link, no_usable_rows, …).
    """

    def __init__(self, message: str, *, code: str, file: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.file = file

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"IntakeError(code={self.code!r}, file={self.file!r}, message={self.message!r})"
