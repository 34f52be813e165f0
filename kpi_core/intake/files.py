"""First intake layer: turn user bytes or a local path into a DuckDB-readable CSV or an xlsx frame.

Untrusted input is bounded before anything large is built: CSV columns, line length and cells are capped; an Excel
sheet's used range is measured from its cells (never from its <dimension> tag) and capped before the Excel reader
allocates it, and workbooks are parsed in a sandboxed child process (kpi_core.intake.sandbox) unless they are small
enough to have been checked completely beforehand.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import csv
import datetime as dt
import html
import io
import itertools
import logging
import re
import tempfile
import unicodedata
import uuid
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, cast

import numpy as np
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from kpi_core.intake.errors import IntakeError
from kpi_core.messages import Names, Phrase

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_MAX_BYTES = 200 * 1024 * 1024

# Zip bomb guard, applied to the ZIP directory before calamine inflates anything.
MAX_ZIP_TOTAL_BYTES = 1024**3
MAX_ZIP_MEMBER_RATIO = 200
ZIP_RATIO_MIN_BYTES = 10 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000

HEADER_SEARCH_ROWS = 30  # the header must start within this many rows
SNIFF_ROWS = 50  # rows used for delimiter sniffing and the "widest row" measure
HEADER_MIN_SHARE = 0.6  # header's non-empty cells relative to the widest row
MAGIC_BYTES = 8 * 1024  # where magic numbers and NUL bytes are looked for
SNIFF_BYTES = 1024 * 1024  # decoded text used to sniff delimiter and header
CHUNK_BYTES = 4 * 1024 * 1024  # streaming unit: keeps memory flat for 10M-row files
DELIMITERS = (",", ";", "\t", "|")  # tie order: earlier wins
WRAP_MIN_SHARE = 0.8  # wrapped lines: the most common width among their unwrapped contents, at least this share
WRAP_MAX_RECORD = 1024 * 1024  # characters one wrapped record may span over several lines

# Limits on untrusted tables (CSV and Excel alike).
MAX_COLUMNS = 1_000  # columns of a table (the CSV header, the Excel table): more is one sentence
MAX_LINE_CHARS = 4 * 1024 * 1024  # characters in one CSV line (DuckDB itself stops at 2 MB per line)
MAX_CSV_CELLS = 300_000_000  # CSV lines × header columns (10M rows × 30 columns)
MAX_MIXED_LINES = 1_000  # lines of another encoding a UTF-8 file may hold (each read in its own and listed)
# An Excel sheet's used range (rows × columns from its first to its last cell holding a value): the reader builds
# it densely (64 bytes a cell at its peak), so it is measured first and capped. 25M cells keeps a full-height
# 1,048,576-row × 23-column sheet readable.
MAX_SHEET_CELLS = 25_000_000
MAX_SHEET_COLUMNS = 16_384  # Excel's own width (XFD)
SPARSE_MIN_CELLS = 1_000_000  # a used range this large must have values in at least SPARSE_MIN_SHARE of its cells
SPARSE_MIN_SHARE = 0.01
# Workbooks are parsed in-process only when checked completely beforehand: a small file whose sheets were all
# scanned cell by cell, with a small used range. Everything else goes to the sandbox. 0 sends every workbook there.
INPROCESS_MAX_BYTES = 1024 * 1024  # file size
INPROCESS_MAX_UNCOMPRESSED = 16 * 1024 * 1024  # all ZIP members inflated
INPROCESS_MAX_CELLS = 1_000_000  # used range of each sheet
PRESCAN_MAX_BYTES = 8 * 1024 * 1024  # sheet XML scanned for its cell references before any reader runs
PRESCAN_SLOW_MAX_BYTES = 1024 * 1024  # sheet XML scanned tag by tag when its references are not all simple
POSTMORTEM_MAX_BYTES = 64 * 1024 * 1024  # sheet XML scanned after the sandbox failed, to word the sentence

_log = logging.getLogger(__name__)

_NEWLINE_RE = re.compile(r"\r\n|\r|\n")
_NEWLINE_BYTES_RE = re.compile(rb"\r\n|\r|\n")
_PRIVATE_USE_RE = re.compile("[\ue000-\uf8ff]")
_WRAPPED_RE = re.compile(r'\s*"((?:[^"]|"")*)"\s*')  # one quoted field, nothing else, on a line (or a record)
_NUMBER_RE = re.compile(
    r"[+\-−▲△]?\(?[¥$€£]?\s*[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+\-]?\d+)?\)?\s*"
    r"(?:%|円|千円|万円|百万円|件|人|個|社)?"
)
_DATE_RE = re.compile(
    r"\d{4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"|\d{4}年\d{1,2}月(?:\d{1,2}日)?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?: \d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{1,2}:\d{2}(?::\d{2})?"
)
_ASCII = bytes(range(128))
_HALF_WIDTH_KANA = bytes(range(0xA1, 0xE0))
# UTF-8 kana and CJK punctuation (E3 80-83 ..) or full-width forms (EF BC-BE ..): a UTF-8 line in a Shift_JIS file.
# One literal first byte per pattern keeps the search at memchr speed (an alternation is five times slower).
_UTF8_KANA_RES = (re.compile(rb"\xe3[\x80-\x83][\x80-\xbf]"), re.compile(rb"\xef[\xbc-\xbe][\x80-\xbf]"))
_SJIS_LEAD_RE = re.compile(rb"[\x81-\x9f]")
_ENCRYPTION_MARKERS = tuple(
    marker
    for word in ("EncryptedPackage", "EncryptionInfo")
    for marker in (word.encode("utf-16-le"), word.encode("ascii"))
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGICS = (  # (magic, kind): the kind's words are "intake.kind.<kind>" in kpi_core.messages
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!", "rar"),
)


@dataclass(frozen=True)
class BadLine:
    """A CSV line left out because it has more fields than the header."""

    line: int  # 1-based line of the original file where the record starts, as a text editor numbers lines
    fields: int  # how many fields the line has
    expected: int  # how many the header has


@dataclass(frozen=True)
class MixedLine:
    """A CSV line not written in the file's encoding (a Shift_JIS line pasted into a UTF-8 file, or the reverse).

    It is read in the encoding it is valid in ("cp932" or "utf-8"), or, when it is valid in neither, with U+FFFD in
    place of the bytes that could not be read ("replaced"). Its row is kept; the lead lists these lines as a
    warning (they are never silently read as mojibake).
    """

    line: int  # 1-based line of the original file, as a text editor numbers lines
    read_as: str  # "cp932", "utf-8" or "replaced"


@dataclass
class SourceFile:
    """A file ready for the next intake step: a UTF-8 CSV path for DuckDB or an xlsx frame."""

    name: str  # display name as given (never used as a path)
    kind: str  # "csv" or "xlsx"
    sheets: list[str]  # all sheet names for xlsx; [] for csv
    sheet: str | None  # the sheet read (xlsx)
    columns: list[str]  # normalised, unique header names
    header_row: int  # 1-based line (csv) / row (xlsx) of the header in the original file
    csv_path: Path | None  # csv: UTF-8 file for DuckDB (the original path or a copy in workdir)
    delimiter: str  # csv: one of "," ";" "\t" "|"; "" for xlsx
    frame: pd.DataFrame | None  # xlsx: data rows below the header, cells as read by calamine
    encoding: str  # csv: "utf-8", "utf-8-sig", "cp932", "utf-16"; "" for xlsx
    skip_lines: int = 0  # csv: lines DuckDB must skip in csv_path to reach the header
    multiline: bool = False  # csv: a quoted field below the header holds a line break (one record, several lines)
    unwrapped: bool = False  # csv: every line was one quoted field holding the row; csv_path is the unwrapped copy
    bad_lines: list[BadLine] = field(default_factory=list)  # csv: lines DuckDB left out (set when the table is read)
    mixed_lines: list[MixedLine] = field(default_factory=list)  # csv: lines in another encoding, in file order
    lines: int = 0  # csv: physical lines in the file (a lone CR among LF line endings is not counted)
    # xlsx read in the sandbox: the frame's columns as the child sent them (one type each, or None), so the table is
    # built without going through Python objects again. Internal to the intake; the frame stays the reference.
    typed_columns: list[Any] | None = field(default=None, repr=False, compare=False)


def open_source(
    name: str,
    data: bytes | Path,
    *,
    workdir: Path,
    sheet: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> SourceFile:
    """Open an upload (bytes) or a local file (Path) as CSV or xlsx, or raise IntakeError with one sentence.

    ``name`` is display text only; any file written goes to ``workdir`` under a generated name.
    """
    try:
        source = _load_input(name, data, max_bytes)
        if _detect_kind(source) == "xlsx":
            return _open_xlsx(source, sheet, Path(workdir))
        return _open_csv(source, Path(workdir))
    except IntakeError:
        raise
    except Exception as exc:  # a parser or codec failure must reach the user as a sentence, not a traceback
        _log.warning("could not open %s", name, exc_info=True)
        raise _unreadable(name) from exc


def list_sheets(name: str, data: bytes | Path) -> list[str]:
    """Sheet names of an xlsx workbook in workbook order (hidden ones included); [] for a CSV."""
    try:
        source = _load_input(name, data, max_bytes=None)
        if _detect_kind(source) == "csv":
            return []
        plan = _xlsx_plan(source, None)
        if _in_process(source, plan):
            with _open_workbook(source) as workbook:
                return list(workbook.sheet_names)
        with tempfile.TemporaryDirectory(prefix="kpi_sheets_") as workdir:
            header = _run_sandboxed(source, "xlsx_sheets", None, Path(workdir))[0]
        names = header.get("sheets")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValueError("the sandbox gave no sheet names")
        return names
    except IntakeError:
        raise
    except Exception as exc:
        _log.warning("could not list the sheets of %s", name, exc_info=True)
        raise _unreadable(name) from exc


# ---------------------------------------------------------------------------------------------- input


@dataclass
class _Input:
    """The user's file as bytes or a path, with its size; reads in bounded chunks."""

    name: str
    data: bytes | None
    path: Path | None
    size: int

    def read_head(self, n: int) -> bytes:
        if self.data is not None:
            return self.data[:n]
        with self._path().open("rb") as fh:
            return fh.read(n)

    def iter_chunks(self) -> Iterator[bytes]:
        size = CHUNK_BYTES  # read at call time so tests can shrink it
        if self.data is not None:
            for start in range(0, len(self.data), size):
                yield self.data[start : start + size]
            return
        with self._path().open("rb") as fh:
            while chunk := fh.read(size):
                yield chunk

    def open_binary(self) -> IO[bytes]:
        return io.BytesIO(self.data) if self.data is not None else self._path().open("rb")

    def _path(self) -> Path:
        return cast(Path, self.path)  # an input without data was made from a path (open_source, the xlsx copy)


def _load_input(name: str, data: bytes | Path, max_bytes: int | None) -> _Input:
    """Wrap the input and apply the empty / size checks (stat for a path, before any read)."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        source = _Input(name, bytes(data), None, len(data))
    else:
        path = Path(data)
        try:
            stat = path.stat()
        except OSError as exc:
            raise IntakeError("intake.cannot_open", code="unreadable", file=name) from exc
        if not path.is_file():
            raise IntakeError("intake.not_regular_file", code="unreadable", file=name)
        source = _Input(name, None, path, stat.st_size)
    if source.size == 0:
        raise _empty(name)
    if max_bytes is not None and source.size > max_bytes:
        raise IntakeError(
            "intake.too_large",
            code="too_large",
            file=name,
            size=_format_mb(source.size),
            limit=_format_mb(max_bytes),
        )
    return source


def _detect_kind(source: _Input) -> str:
    """'xlsx' or 'csv' from the content; raise for binary, legacy, encrypted or unsafe files."""
    head = source.read_head(MAGIC_BYTES)
    name = source.name
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        _check_xlsx_zip(source)
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        if _contains_any(source, _ENCRYPTION_MARKERS):
            raise _encrypted(name)
        raise IntakeError("intake.legacy_xls", code="bad_extension", file=name)
    for magic, kind in _BINARY_MAGICS:
        if head.startswith(magic):
            raise _binary(name, kind)
    is_utf16 = head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE)
    if not is_utf16 and b"\x00" in head:
        raise _binary(name, "binary")
    return "csv"


def _contains_any(source: _Input, needles: tuple[bytes, ...]) -> bool:
    """Whether any needle occurs in the file, scanning chunks with an overlap for split matches."""
    overlap = max(len(n) for n in needles) - 1
    tail = b""
    for chunk in source.iter_chunks():
        window = tail + chunk
        if any(n in window for n in needles):
            return True
        tail = window[-overlap:]
    return False


# ------------------------------------------------------------------------------------------------ csv


def _open_csv(source: _Input, workdir: Path, *, unwrap: bool = True) -> SourceFile:
    """Decode, sniff the delimiter, find the header and give DuckDB a UTF-8 file to read."""
    name = source.name
    encoding = _detect_encoding(source)
    sample = _decode_sample(source, encoding)
    with _csv_field_limit():  # a long "Notes" cell in the first rows is no error
        delimiter = _sniff_delimiter(sample)
        records = _read_records(sample, delimiter, SNIFF_ROWS)
        _check_column_count(name, _widest([len(fields) for _, fields in records]))
        if unwrap and encoding.has_quote and _mostly_one_field(records) and _unwrapped_sample(sample):
            return _open_unwrapped(source, encoding, workdir)
    header_index, failure = _locate_header([fields for _, fields in records])
    if header_index is None:
        raise _table_failure(name, None, failure)
    header_line = records[header_index][0]
    columns = _column_names(records[header_index][1])
    _check_column_count(name, len(columns))
    if encoding.lines * len(columns) > MAX_CSV_CELLS:
        raise IntakeError(
            "intake.csv_too_many_cells",
            code="too_many_cells",
            file=name,
            lines=encoding.lines,
            columns=len(columns),
            limit=MAX_CSV_CELLS,
        )
    _check_width([fields for _, fields in records[header_index:]], name)

    if source.path is not None and encoding.name == "utf-8" and not encoding.mixed:
        # Already what DuckDB reads: no copy, so a 10M-row file costs no extra disk or time.
        csv_path, skip_lines = source.path, header_line - 1
    else:
        workdir.mkdir(parents=True, exist_ok=True)
        csv_path = workdir / f"source_{uuid.uuid4().hex}.csv"
        try:
            _write_utf8_copy(source, encoding, header_line - 1, csv_path)
        except BaseException:
            csv_path.unlink(missing_ok=True)
            raise
        skip_lines = 0
    # Only a file with a quote character can hold a quoted line break: the common case pays nothing more.
    multiline = encoding.has_quote and _has_quoted_line_break(csv_path, skip_lines)
    return SourceFile(
        name=name,
        kind="csv",
        sheets=[],
        sheet=None,
        columns=columns,
        header_row=header_line,
        csv_path=csv_path,
        delimiter=delimiter,
        frame=None,
        encoding=encoding.name,
        skip_lines=skip_lines,
        multiline=multiline,
        mixed_lines=encoding.mixed_lines(),
        lines=encoding.lines,
    )


def _check_column_count(name: str, columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise IntakeError(
            "intake.too_many_columns", code="too_many_columns", file=name, columns=columns, limit=MAX_COLUMNS
        )


@contextlib.contextmanager
def _csv_field_limit() -> Iterator[None]:
    """Lift the csv module's 128 KB field limit for a while (the sample is at most SNIFF_BYTES anyway)."""
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def _check_width(rows: list[list[str]], name: str) -> None:
    """Refuse a table whose rows do not fit its header: most rows wider than the header (each would be left out
    as a line with too many fields), or one column whose cells hold separators (rows saved as one quoted cell that
    could not be unwrapped). ``rows`` are the sample's records from the header on.

    One empty field past the header's width is a trailing separator, which DuckDB reads, so it is not "wider".
    """
    header, data = rows[0], [r for r in rows[1:] if any(v.strip() for v in r)]
    width = len(header)
    wider = [r for r in data if len(r) > width + 1 or (len(r) == width + 1 and r[-1].strip())]
    if len(wider) >= 2 and len(wider) * 2 > len(data):
        fields = Counter(len(r) for r in wider).most_common(1)[0][0]
        raise IntakeError("intake.header_too_narrow", code="too_many_fields", file=name, fields=fields, width=width)
    cells = [r[0] for r in data if len(r) == 1]
    separated = [c for c in cells if any(d in c for d in DELIMITERS)]
    header_separated = width == 1 and any(d in header[0] for d in DELIMITERS)
    if header_separated and len(separated) >= 2 and len(separated) * 2 > len(cells):
        raise IntakeError("intake.one_quoted_cell", code="one_column", file=name)


# ------------------------------------------------------------------------------------ wrapped lines


def _lines(text: str) -> Iterator[str]:
    """Lines with their endings (CRLF, LF or CR); unlike str.splitlines, never split at other control characters."""
    return iter(io.StringIO(text, newline=""))


def _mostly_one_field(records: list[tuple[int, list[str]]]) -> bool:
    """Whether the non-blank records are mostly one field each (cheap test before looking for wrapped lines)."""
    widths = Counter(len(fields) for _, fields in records if any(v.strip() for v in fields))
    return bool(widths) and widths.most_common(1)[0][0] == 1


def _unwrapped_records(lines: Iterable[str]) -> Iterator[tuple[str, bool]]:
    """Each record with its outer quotes removed ('""' read as '"'), line endings kept, and whether it was one
    quoted field. A quoted field may run over several lines (an odd number of '"' so far): they are one record,
    up to WRAP_MAX_RECORD characters (a stray quote must not swallow the rest of the file)."""
    pending: list[str] = []
    size, odd = 0, False
    for line in lines:
        pending.append(line)
        size += len(line)
        odd ^= line.count('"') % 2 == 1
        if odd and size < WRAP_MAX_RECORD:
            continue
        text = "".join(pending)
        body = text.rstrip("\r\n")
        match = None if odd else _WRAPPED_RE.fullmatch(body)
        if match:
            yield match.group(1).replace('""', '"') + text[len(body) :], True
        else:
            yield text, False
        pending, size, odd = [], 0, False
    if pending:  # an unclosed quote at the end: left as written
        yield "".join(pending), False


def _unwrapped_sample(sample: str) -> bool:
    """Whether (almost) every non-blank line is one quoted field whose content splits on a delimiter the same way.

    A title line or two above the table may be left unquoted; contents must share one width of at least 2 fields.
    """
    contents = []
    others = 0
    for text, wrapped in _unwrapped_records(_lines(sample)):
        if wrapped:
            contents.append(text)
        elif text.strip():
            others += 1
    if len(contents) < 2 or others > max(3, (len(contents) + others) // 20):
        return False
    text = "".join(contents)
    delimiter = _sniff_delimiter(text)
    widths = Counter(len(fields) for _, fields in _read_records(text, delimiter, SNIFF_ROWS))
    width, count = widths.most_common(1)[0]
    return width >= 2 and count >= WRAP_MIN_SHARE * sum(widths.values())


def _open_unwrapped(source: _Input, encoding: _Encoding, workdir: Path) -> SourceFile:
    """Write the file with each line's outer quotes removed (line numbers unchanged) as UTF-8 and open that."""
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / f"source_{uuid.uuid4().hex}.csv"
    try:
        with target.open("w", encoding="utf-8", newline="") as out:
            for record, _ in _unwrapped_records(_text_lines(_decode_chunks(source, encoding))):
                out.write(record)
        copy = _Input(source.name, None, target, target.stat().st_size)
        opened = _open_csv(copy, workdir, unwrap=False)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    opened.encoding = encoding.name  # as the user's file is encoded
    opened.mixed_lines = encoding.mixed_lines()  # the copy keeps every line where it was
    opened.unwrapped = True
    return opened


def _text_lines(chunks: Iterable[str]) -> Iterator[str]:
    """Lines with their endings (CRLF, LF or CR) of text given in chunks; a CR ending a chunk waits for the next."""
    pending = ""
    for chunk in chunks:
        text = pending + chunk
        lines = list(_lines(text))
        pending = ""
        if lines and (not lines[-1].endswith(("\n", "\r")) or lines[-1].endswith("\r")):
            pending = lines.pop()
        yield from lines
    if pending:
        yield pending


# ------------------------------------------------------------------------------------------------ encoding


@dataclass
class _Encoding:
    """How a CSV file is decoded: its encoding, and the lines that are in another one (line -> how each is read)."""

    name: str  # "utf-8", "utf-8-sig", "cp932" or "utf-16"
    has_quote: bool  # any '"' in the file (the only way a field can hold a line break)
    lines: int  # physical lines (CRLF, LF or CR each end one; a lone CR in a file with LF endings is not counted)
    mixed: dict[int, str] = field(default_factory=dict)  # 1-based line -> "cp932", "utf-8" or "replaced"

    def mixed_lines(self) -> list[MixedLine]:
        return [MixedLine(line, read_as) for line, read_as in sorted(self.mixed.items())]


class _LineCounter:
    """Counts the lines of text given chunk by chunk and refuses a line longer than MAX_LINE_CHARS.

    Cheap, as the 10M-row path needs: one C-speed count per chunk (LF, or CR in a file without any LF; in a file
    mixing CR-only and LF endings the CR-only ones are not counted) and a jump of up to MAX_LINE_CHARS per step to
    find a long line.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.breaks = 0  # line breaks so far
        self.current = 0  # characters of the line not ended yet
        self.saw_lf = False  # an LF file: only LF is counted from then on
        self.cr_pending = False  # a CR-only file so far, whose text ended with a CR (a LF next makes it a CRLF)

    def feed(self, text: str) -> None:
        if not text:
            return
        limit = MAX_LINE_CHARS
        first = _first_break(text)
        if first < 0:
            self.current += len(text)
            if self.current > limit:
                raise self._too_long(self.breaks + 1)
            if self.cr_pending:  # a CR ended the text before: this is a new line
                self._count(text)
            return
        if self.current + first > limit:
            raise self._too_long(self.breaks + 1)
        position, end = first, len(text)
        while end - position - 1 > limit:  # the text after this break is longer than a line may be
            window = position + 2 + limit
            following = max(text.rfind("\n", position + 1, window), text.rfind("\r", position + 1, window))
            if following < 0:
                raise self._too_long(self.breaks + _count_breaks(text[: position + 1]) + 1)
            position = following
        self.current = end - 1 - max(text.rfind("\n"), text.rfind("\r"))
        self._count(text)

    def _count(self, text: str) -> None:
        lf = text.count("\n")
        pending, self.cr_pending = self.cr_pending, False
        if lf or self.saw_lf:
            self.saw_lf = True
            self.breaks += lf + (1 if pending and not text.startswith("\n") else 0)
            return
        cr = text.count("\r")
        if text.endswith("\r"):
            cr, self.cr_pending = cr - 1, True
        self.breaks += cr + (1 if pending else 0)

    @property
    def lines(self) -> int:
        return self.breaks + (1 if self.current or self.cr_pending else 0)

    def _too_long(self, line: int) -> IntakeError:
        return IntakeError(
            "intake.line_too_long", code="line_too_long", file=self.name, line=line, limit=_characters(MAX_LINE_CHARS)
        )


def _characters(count: int) -> Phrase:
    if count >= 1024**2:
        return Phrase("intake.word.million_characters", {"millions": count // 1024**2})
    return Phrase("intake.word.characters", {"count": count})


def _first_break(text: str) -> int:
    lf, cr = text.find("\n"), text.find("\r")
    return lf if cr < 0 else cr if lf < 0 else min(lf, cr)


def _count_breaks(text: str) -> int:
    """Line breaks in ``text`` (a CRLF is one)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _count_breaks_bytes(data: bytes) -> int:
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _detect_encoding(source: _Input) -> _Encoding:
    """The file's encoding, decided from the whole content; never a silent latin-1 or mojibake guess.

    A BOM decides UTF-8 or UTF-16. Otherwise a file that is valid UTF-8 throughout is UTF-8 (one C-speed pass). A
    file that is not is looked at line by line: when its valid multi-byte UTF-8 text outweighs the bytes of its
    invalid lines (and those are at most MAX_MIXED_LINES), it is UTF-8 with those lines read as Shift_JIS (or with
    U+FFFD when they are not Japanese Shift_JIS); else it must be Shift_JIS (cp932) throughout, except lines that
    are UTF-8, which are read as UTF-8. Either way the odd lines are listed (``SourceFile.mixed_lines``).
    """
    head = source.read_head(4)
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        found = _strict_encoding(source, "utf-16")
        if found is None:
            raise _not_text(source.name)
        return found
    bom = head.startswith(codecs.BOM_UTF8)
    found = _strict_encoding(source, "utf-8-sig" if bom else "utf-8")
    if found is not None:
        return found
    return _mixed_encoding(source, bom)


def _strict_encoding(source: _Input, encoding: str) -> _Encoding | None:
    """The file read strictly in one encoding (None when it is not valid in it), with its lines counted."""
    counter = _LineCounter(source.name)
    has_text = has_quote = False
    try:
        for text in _decode_stream(source, encoding):
            counter.feed(text)
            if not has_text and text.strip():
                has_text = True
            if not has_quote and '"' in text:  # a C-speed search per chunk, stopped at the first hit
                has_quote = True
    except (UnicodeError, LookupError):
        return None
    if not has_text:
        raise _empty(source.name)
    return _Encoding(encoding, has_quote, counter.lines)


def _mixed_encoding(source: _Input, bom: bool) -> _Encoding:
    """Decide UTF-8 with a few lines of Shift_JIS, or Shift_JIS with a few lines of UTF-8 (see _detect_encoding)."""
    utf8_weight = bad_weight = 0  # non-ASCII bytes in valid UTF-8 text / in lines that are not UTF-8
    bad: dict[int, str] = {}
    numbers = _LineNumbers(source)
    for position, chunk in _line_chunks(source, skip_bom=bom):
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            utf8_weight += len(chunk.translate(None, _ASCII))
            continue
        first = numbers.at(position)
        for offset, line in enumerate(chunk.splitlines(keepends=True)):
            if line.isascii():
                continue
            weight = len(line.translate(None, _ASCII))
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                bad[first + offset] = "cp932" if _japanese_cp932(line) else "replaced"
                bad_weight += weight
                if len(bad) > MAX_MIXED_LINES and (bom or bad_weight > utf8_weight):
                    break  # not a UTF-8 file with a few odd lines: no need to read on
            else:
                utf8_weight += weight
        else:
            continue
        break
    if bom or (len(bad) <= MAX_MIXED_LINES and utf8_weight >= bad_weight):
        if len(bad) > MAX_MIXED_LINES:
            raise _not_text(source.name)
        return _finish_mixed(source, "utf-8-sig" if bom else "utf-8", bad)
    return _cp932_encoding(source)


def _valid_cp932(line: bytes) -> bool:
    """Whether bytes are Shift_JIS (cp932) text; Latin-1 bytes often decode into the user-defined area instead."""
    try:
        text = line.decode("cp932")
    except UnicodeDecodeError:
        return False
    return not _PRIVATE_USE_RE.search(text)


def _japanese_cp932(line: bytes) -> bool:
    """Whether an odd line of a UTF-8 file reads as Japanese Shift_JIS: valid cp932 with a kana, kanji or symbol
    lead byte (0x81-0x9F, which Latin-1 text never uses) or only half-width katakana. "Renée" in Latin-1 is valid
    cp932 too, but as two kanji no one wrote: such a line is read with U+FFFD instead."""
    if not _valid_cp932(line):
        return False
    high = line.translate(None, _ASCII)
    return bool(_SJIS_LEAD_RE.search(high)) or not high.translate(None, _HALF_WIDTH_KANA)


def _cp932_encoding(source: _Input) -> _Encoding:
    """A Shift_JIS file, read once: every line must be cp932 (without user-defined characters, which is how
    Latin-1 text shows) or UTF-8. A UTF-8 line is found when it is not cp932, or when it is both and holds UTF-8
    kana, CJK punctuation or full-width forms and is valid UTF-8 (cp932 Japanese text almost never is). A UTF-8
    line of kanji alone that is also valid cp932 cannot be told apart and is read as cp932."""
    mixed: dict[int, str] = {}
    counter = _LineCounter(source.name)
    numbers = _LineNumbers(source)
    has_text = has_quote = False
    for position, chunk in _line_chunks(source, skip_bom=False):
        try:
            text = chunk.decode("cp932")
        except UnicodeDecodeError:
            text = None
        if text is not None and _PRIVATE_USE_RE.search(text):
            text = None
        utf8: set[int] = set()
        lines: list[bytes] = []
        if text is not None:
            starts = [m.start() for pattern in _UTF8_KANA_RES for m in pattern.finditer(chunk)]
            if starts:  # lines that may be UTF-8: check those alone
                lines = chunk.splitlines(keepends=True)
                ends = list(itertools.accumulate(map(len, lines)))
                candidates = {bisect.bisect_right(ends, start) for start in starts}
                utf8 = {i for i in candidates if _is_utf8(lines[i])}
        if text is None or utf8:
            first = numbers.at(position)
            parts = []
            for offset, line in enumerate(lines or chunk.splitlines(keepends=True)):
                read_as = "utf-8" if offset in utf8 else "cp932" if text is not None else _line_encoding(line)
                if read_as is None:
                    raise _not_text(source.name)
                if read_as == "utf-8":
                    mixed[first + offset] = read_as
                    if len(mixed) > MAX_MIXED_LINES:
                        raise _not_text(source.name)
                parts.append(line.decode(read_as))
            text = "".join(parts)
        counter.feed(text)
        has_text = has_text or bool(text.strip())
        has_quote = has_quote or '"' in text
    if not has_text:
        raise _empty(source.name)
    return _Encoding("cp932", has_quote, counter.lines, mixed)


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _line_encoding(line: bytes) -> str | None:
    """How one line of a Shift_JIS file reads: "cp932", "utf-8", or None when it is neither."""
    if line.isascii():
        return "cp932"
    cp932 = _valid_cp932(line)
    if cp932 and not any(pattern.search(line) for pattern in _UTF8_KANA_RES):
        return "cp932"
    if _is_utf8(line):
        return "utf-8"
    return "cp932" if cp932 else None


def _finish_mixed(source: _Input, encoding: str, mixed: dict[int, str]) -> _Encoding:
    """Count lines, look for text and quotes, and check line lengths, decoding each line as decided."""
    result = _Encoding(encoding, False, 0, mixed)
    counter = _LineCounter(source.name)
    has_text = False
    for text in _decode_chunks(source, result):
        counter.feed(text)
        has_text = has_text or bool(text.strip())
        result.has_quote = result.has_quote or '"' in text
    if not has_text:
        raise _empty(source.name)
    result.lines = counter.lines
    return result


def _line_chunks(source: _Input, *, skip_bom: bool) -> Iterator[tuple[int, bytes]]:
    """The raw bytes in chunks that end at a line break (never inside a CRLF), with each chunk's byte offset in the
    file (_LineNumbers turns it into a line number when one is needed). CR and LF are never part of a UTF-8 or
    Shift_JIS multi-byte character."""
    offset, pending = 0, b""
    limit = 4 * MAX_LINE_CHARS  # bytes: four times the characters a line may hold, whatever the encoding
    for chunk in source.iter_chunks():
        data = pending + chunk
        if skip_bom:
            if len(data) < len(codecs.BOM_UTF8):
                pending = data
                continue
            if data.startswith(codecs.BOM_UTF8):
                data, offset = data[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
            skip_bom = False
        cut = max(data.rfind(b"\n"), data.rfind(b"\r", 0, len(data) - 1)) + 1
        if cut <= 0:
            if len(data) > limit:
                raise _LineCounter(source.name)._too_long(_LineNumbers(source).at(offset))
            pending = data
            continue
        block, pending = data[:cut], data[cut:]
        yield offset, block
        offset += cut
    if skip_bom:
        pending = pending.removeprefix(codecs.BOM_UTF8)
    if pending:
        yield offset, pending


class _LineNumbers:
    """Exact 1-based line numbers (CRLF, LF or CR each end a line) of byte offsets at line starts, counted forward
    through the file only when asked: files without odd lines never pay for it. Offsets must not decrease."""

    def __init__(self, source: _Input) -> None:
        self.source = source
        self.offset = 0  # bytes counted so far
        self.breaks = 0

    def at(self, offset: int) -> int:
        if offset > self.offset:
            with self.source.open_binary() as handle:
                handle.seek(self.offset)
                remaining, pending_cr = offset - self.offset, False
                while remaining > 0:
                    piece = handle.read(min(CHUNK_BYTES, remaining))
                    if not piece:
                        break
                    self.breaks += _count_breaks_bytes(piece) - (1 if pending_cr and piece[:1] == b"\n" else 0)
                    pending_cr = piece.endswith(b"\r")
                    remaining -= len(piece)
            self.offset = offset
        return self.breaks + 1


def _decode_stream(source: _Input, encoding: str) -> Iterator[str]:
    """Strictly decoded text of the whole file, chunk by chunk (multi-byte characters may span chunks)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    for chunk in source.iter_chunks():
        if text := decoder.decode(chunk):
            yield text
    if tail := decoder.decode(b"", final=True):
        yield tail


def _decode_chunks(source: _Input, encoding: _Encoding) -> Iterator[str]:
    """The whole file as text, chunk by chunk: strictly in its encoding, each mixed line in its own."""
    if not encoding.mixed:
        yield from _decode_stream(source, encoding.name)
        return
    first = 1
    for _, chunk in _line_chunks(source, skip_bom=encoding.name == "utf-8-sig"):
        yield _decode_block(chunk, first, encoding)
        first += _count_breaks_bytes(chunk)


def _decode_block(block: bytes, first: int, encoding: _Encoding) -> str:
    """Text of whole lines starting at line ``first``: in the file's encoding, the mixed lines each in theirs."""
    main = "utf-8" if encoding.name == "utf-8-sig" else encoding.name
    marks = sorted(encoding.mixed)
    last = first + _count_breaks_bytes(block)
    start = bisect.bisect_left(marks, first)
    if start == len(marks) or marks[start] > last:
        return block.decode(main)
    parts = []
    for offset, line in enumerate(block.splitlines(keepends=True)):
        read_as = encoding.mixed.get(first + offset)
        if read_as == "replaced":
            parts.append(line.decode("utf-8", errors="replace"))
        else:
            parts.append(line.decode(read_as or main))
    return "".join(parts)


def _decode_sample(source: _Input, encoding: _Encoding) -> str:
    """The first SNIFF_BYTES decoded, cut at the last line break unless it is the whole file."""
    raw = source.read_head(SNIFF_BYTES)
    complete = len(raw) >= source.size
    if encoding.mixed:
        if encoding.name == "utf-8-sig" and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]
        if not complete:
            cut = max(raw.rfind(b"\n"), raw.rfind(b"\r"))
            raw = raw[: cut + 1] if cut >= 0 else raw
        return _decode_block(raw, 1, encoding) if complete or cut >= 0 else raw.decode("utf-8", errors="replace")
    decoder = codecs.getincrementaldecoder(encoding.name)(errors="strict")
    text = decoder.decode(raw, final=complete)
    if not complete:
        cut = max(text.rfind("\n"), text.rfind("\r"))
        if cut >= 0:
            text = text[: cut + 1]
    return text


def _read_records(text: str, delimiter: str, limit: int) -> list[tuple[int, list[str]]]:
    """Up to ``limit`` CSV records as (1-based physical line where the record starts, fields)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    records: list[tuple[int, list[str]]] = []
    line = 1
    for fields in reader:
        records.append((line, fields))
        line = reader.line_num + 1
        if len(records) >= limit:
            break
    return records


def _sniff_delimiter(text: str) -> str:
    """The delimiter whose most common field count (> 1) occurs on the most of the first lines."""
    best, best_score = ",", 0
    for delimiter in DELIMITERS:
        try:
            records = _read_records(text, delimiter, SNIFF_ROWS)
        except csv.Error:
            continue
        widths = Counter(len(f) for _, f in records if len(f) > 1 and any(x.strip() for x in f))
        score = max(widths.values(), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _write_utf8_copy(source: _Input, encoding: _Encoding, skip: int, target: Path) -> None:
    """Stream the file into ``target`` as UTF-8 without BOM, starting at line ``skip`` + 1."""
    pending_cr = False
    with target.open("w", encoding="utf-8", newline="") as out:
        for text in _decode_chunks(source, encoding):
            if skip or pending_cr:
                text, skip, pending_cr = _drop_lines(text, skip, pending_cr)
            if text:
                out.write(text)


def _drop_lines(text: str, count: int, pending_cr: bool) -> tuple[str, int, bool]:
    """Drop ``count`` lines (CRLF, CR or LF); a CR ending this chunk may pair with the next chunk's LF."""
    if not text:
        return text, count, pending_cr
    pos = 1 if pending_cr and text.startswith("\n") else 0
    pending_cr = False
    while count:
        match = _NEWLINE_RE.search(text, pos)
        if match is None:
            return "", count, pending_cr
        count -= 1
        pos = match.end()
        if match.group() == "\r" and pos == len(text):
            pending_cr = True
    return text[pos:], count, pending_cr


def _skip_lines_binary(handle: IO[bytes], count: int) -> bytes:
    """Read past ``count`` lines (CRLF, CR or LF) of a UTF-8 file; return the bytes already read after them."""
    pending_cr, rest = False, b""
    while count:
        chunk = handle.read(CHUNK_BYTES)
        if not chunk:
            return b""
        pos = 1 if pending_cr and chunk.startswith(b"\n") else 0
        pending_cr = False
        while count:
            match = _NEWLINE_BYTES_RE.search(chunk, pos)
            if match is None:
                pos = len(chunk)
                break
            count -= 1
            pos = match.end()
            if match.group() == b"\r" and pos == len(chunk):
                pending_cr = True
        rest = chunk[pos:]
    if pending_cr:
        rest = rest or handle.read(CHUNK_BYTES)
        rest = rest[1:] if rest.startswith(b"\n") else rest
    return rest


def _has_quoted_line_break(csv_path: Path, skip_lines: int) -> bool:
    """Whether a line break below the header lies inside a quoted field, i.e. after an odd number of '"'.

    Vectorised over the UTF-8 bytes ('"', CR and LF are never part of a multi-byte character), so a quoted export
    without multi-line fields costs a few milliseconds per 10 MB.
    """
    odd = 0  # quotes so far, modulo 2
    with csv_path.open("rb") as handle:
        chunk = _skip_lines_binary(handle, skip_lines)
        while True:
            if chunk:
                data = np.frombuffer(chunk, dtype=np.uint8)
                quotes = np.flatnonzero(data == 0x22)
                if len(quotes) or odd:  # a chunk without quotes can still end a cell opened in an earlier one
                    breaks = np.flatnonzero((data == 0x0A) | (data == 0x0D))
                    if ((np.searchsorted(quotes, breaks) + odd) & 1).any():
                        return True
                    odd = (odd + len(quotes)) & 1
            chunk = handle.read(CHUNK_BYTES)
            if not chunk:
                return False


def record_start_lines(source: SourceFile, rowids: list[int]) -> dict[int, int]:
    """For data rows as DuckDB numbers them (0-based ``rowid`` below the header), the line of the original file
    where each record starts, counted as a text editor counts lines (1-based; CRLF, LF or CR each end a line).

    A quoted field holding line breaks makes one record span several lines, DuckDB skips empty lines, and a line
    with too many fields (``source.bad_lines``) is no row: all are counted here, with the CSV quoting rules ('"'
    quotes, '""' inside quotes, a quote after leading blanks still opens a field, as DuckDB reads it). Reads the
    file up to the last row asked for; rows it cannot place (a broken quote that swallows the rest of the file) are
    left out of the answer.
    """
    wanted = sorted({int(r) for r in rowids if r is not None and r >= 0})
    found: dict[int, int] = {}
    if source.kind != "csv" or source.csv_path is None or not wanted:
        return found
    left_out = {bad.line for bad in source.bad_lines}
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # a long "Notes" cell is not an error here
    try:
        with source.csv_path.open(encoding="utf-8", errors="replace", newline="") as handle:
            for _ in range(source.skip_lines):
                if not handle.readline():
                    return found
            reader = csv.reader(
                handle, delimiter=source.delimiter, quotechar='"', doublequote=True, skipinitialspace=True
            )
            start, index, position = 1, -1, 0  # line (counted from the header line), record index (-1 = header)
            try:
                for fields in reader:
                    line = source.header_row + start - 1
                    if fields and line not in left_out:  # an empty line is no record, for DuckDB too
                        if index == wanted[position]:
                            found[index] = line
                            position += 1
                            if position == len(wanted):
                                break
                        index += 1
                    start = reader.line_num + 1
            except csv.Error:
                pass
    finally:
        csv.field_size_limit(limit)
    return found


# ----------------------------------------------------------------------------------------------- xlsx


def _check_xlsx_zip(source: _Input) -> None:
    """Refuse non-workbook ZIPs and zip bombs by reading only the ZIP directory."""
    name = source.name
    try:
        with source.open_binary() as fh, zipfile.ZipFile(fh) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise IntakeError("intake.damaged_zip", code="unreadable", file=name) from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise _zip_bomb(name)
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names or "content.xml" in names:
            raise IntakeError("intake.other_spreadsheet", code="bad_extension", file=name)
        raise _binary(name, "zip")
    if sum(m.file_size for m in members) > MAX_ZIP_TOTAL_BYTES:
        raise _zip_bomb(name)
    for member in members:
        ratio_limit = MAX_ZIP_MEMBER_RATIO * max(member.compress_size, 1)
        if member.file_size > ZIP_RATIO_MIN_BYTES and member.file_size > ratio_limit:
            raise _zip_bomb(name)


def _open_workbook(source: _Input) -> CalamineWorkbook:
    """A calamine workbook over the bytes or the path."""
    try:
        if source.data is not None:
            return CalamineWorkbook.from_filelike(io.BytesIO(source.data))
        return CalamineWorkbook.from_path(str(source.path))
    except PasswordError as exc:
        raise _encrypted(source.name) from exc


class _Refusal(Exception):
    """A workbook the table reader will not read, as a code and plain values (it crosses the sandbox as JSON):
    "sheet_missing", "no_header", "no_rows", "no_table", "encrypted", "too_many_cells", "sparse",
    "too_many_columns"."""

    def __init__(self, code: str, **args: Any) -> None:
        super().__init__(code)
        self.code = code
        self.args_ = args


@dataclass
class _SheetTable:
    """A detected table: its sheet, the 1-based Excel row of its header, cells from the header row on, and where
    they are filled."""

    sheet: str
    header_row: int
    cells: np.ndarray  # 2-D object array, header row first
    filled: np.ndarray  # bool, same shape: the cell is not "" / None

    @property
    def count(self) -> int:
        return int(self.filled.sum())


@dataclass
class _WorkbookTable:
    """What the table reader gives, in-process or from the sandbox."""

    sheets: list[str]
    sheet: str
    header_row: int
    columns: list[str]
    data: np.ndarray  # 2-D object array: the data rows below the header, None for a blank cell
    blank: np.ndarray | None = None  # bool, same shape: where data is None (when known)
    typed: list[Any] | None = None  # per column, a sandbox.TypedColumn or None (from the sandbox only)


def _open_xlsx(source: _Input, sheet: str | None, workdir: Path) -> SourceFile:
    """Read the requested sheet, or the visible sheet holding the largest table.

    The sheets to read are scanned for their used range first (from their cells, not their <dimension> tag): an
    oversized or nearly empty range is one sentence before any reader runs. A small workbook scanned completely is
    read in-process; any other goes to the sandbox, where a crash, a MemoryError or a runaway parse is one sentence.
    """
    plan = _xlsx_plan(source, sheet)
    for claim in plan.claims:
        if claim.selected and claim.exact:
            _check_claim(source.name, claim)
    table = _read_in_process(source, sheet) if _in_process(source, plan) else _read_sandboxed(source, sheet, workdir)
    import pandas as pd  # only Excel input needs pandas: the CSV path stays light for the command line

    frame = pd.DataFrame(table.data, columns=table.columns, dtype=object)
    return SourceFile(
        name=source.name,
        kind="xlsx",
        sheets=table.sheets,
        sheet=table.sheet,
        columns=table.columns,
        header_row=table.header_row,
        csv_path=None,
        delimiter="",
        frame=frame,
        encoding="",
        skip_lines=0,
        typed_columns=table.typed,
    )


def _in_process(source: _Input, plan: _XlsxPlan) -> bool:
    """Whether the workbook was checked completely: small, every sheet part scanned exactly, small used ranges."""
    return (
        source.size <= INPROCESS_MAX_BYTES
        and plan.uncompressed <= INPROCESS_MAX_UNCOMPRESSED
        and plan.complete
        and all(claim.cells <= INPROCESS_MAX_CELLS for claim in plan.claims)
    )


def _read_in_process(source: _Input, sheet: str | None) -> _WorkbookTable:
    try:
        with _open_workbook(source) as workbook:
            return _read_workbook(workbook, sheet)
    except _Refusal as refusal:
        raise _refusal_error(source.name, refusal.code, refusal.args_) from None
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException, which is no Exception
        if type(exc).__name__ == "PanicException":
            _log.warning("the Excel reader panicked on %s", source.name, exc_info=True)
            raise _unreadable(source.name) from exc
        raise


def _read_sandboxed(source: _Input, sheet: str | None, workdir: Path) -> _WorkbookTable:
    """The table read by the sandboxed child, decoded and checked (the child is not trusted either)."""
    name = source.name
    header, buffers = _run_sandboxed(source, "xlsx_table", sheet, workdir)
    try:
        sheets, chosen = header["sheets"], header["sheet"]
        columns, rows, metas = header["columns"], header["rows"], header["cols"]
        header_row = header["header_row"]
        if not (
            isinstance(sheets, list)
            and all(isinstance(s, str) for s in sheets)
            and chosen in sheets
            and isinstance(columns, list)
            and all(isinstance(c, str) for c in columns)
            and len(set(columns)) == len(columns) <= MAX_COLUMNS
            and isinstance(metas, list)
            and len(metas) == len(columns)
            and isinstance(rows, int)
            and 0 <= rows <= MAX_SHEET_CELLS
            and isinstance(header_row, int)
            and header_row >= 1
        ):
            raise ValueError("inconsistent table header")
        from kpi_core.intake import sandbox

        typed: list[Any] = []
        arrays = sandbox.decode_columns(metas, buffers, rows, typed)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        _log.warning("%s: the sandboxed Excel reader gave an answer that cannot be read: %s", name, exc)
        raise _unreadable(name) from exc
    data = np.empty((rows, len(columns)), dtype=object)
    for j, column in enumerate(arrays):
        data[:, j] = column
    return _WorkbookTable(sheets, chosen, header_row, columns, data, typed=typed)


def _run_sandboxed(
    source: _Input, task: str, sheet: str | None, workdir: Path
) -> tuple[dict[str, Any], list[memoryview]]:
    """Run a workbook task in the sandbox on a copy with a generated name (bytes) or the local path; a refusal or
    failure becomes the sentence it stands for."""
    from kpi_core.intake import sandbox

    name = source.name
    copy = None
    if source.path is not None:
        path = source.path.resolve()
    else:
        workdir.mkdir(parents=True, exist_ok=True)
        copy = path = workdir / f"workbook_{uuid.uuid4().hex}.xlsx"
        path.write_bytes(source.data or b"")
    try:
        header, buffers = sandbox.run(task, {"path": str(path), "sheet": sheet}, workdir=workdir)
    except sandbox.SandboxError as exc:
        _log.warning("%s: the sandboxed Excel reader failed (%s): %s", name, exc.kind, exc.detail)
        raise _sandbox_failure(source, sheet, exc) from None
    finally:
        if copy is not None:
            copy.unlink(missing_ok=True)
    status = header.get("status")
    if status == "refused":
        args = header.get("args")
        raise _refusal_error(name, str(header.get("code")), args if isinstance(args, dict) else {})
    if status != "ok":
        _log.warning("%s: the sandboxed Excel reader failed: %s", name, str(header.get("detail", status))[:4000])
        raise _unreadable(name)
    return header, buffers


def _sandbox_failure(source: _Input, sheet: str | None, error: Exception) -> IntakeError:
    """One sentence for a child that crashed, ran out of memory or time: the used range it met when the sheets can
    be scanned for it (after the fact, so the common case pays nothing)."""
    name = source.name
    kind = getattr(error, "kind", "crash")
    if kind == "timeout":
        from kpi_core.intake import sandbox

        return IntakeError(
            "intake.too_slow", code="too_slow", file=name, seconds=f"{sandbox.SANDBOX_TIMEOUT_SECONDS:.0f}"
        )
    try:
        claims = _xlsx_plan(source, sheet, max_part=POSTMORTEM_MAX_BYTES).claims
    except Exception:  # the scan is only for the wording
        _log.info("%s: no used range after the sandbox failed", name, exc_info=True)
        claims = []
    claims = [c for c in claims if c.selected] or claims
    if claims:
        claim = max(claims, key=lambda c: c.cells)
        if claim.cells > INPROCESS_MAX_CELLS:
            return _claims_error(name, claim.sheet, claim.cells, claim.ref, "intake.claims_unsafe")
    if kind == "memory":
        return IntakeError("intake.too_much_memory", code="too_many_cells", file=name)
    return _unreadable(name)


# ------------------------------------------------------------------------- table reader (in-process and child)


def sandbox_xlsx_table(args: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
    """Sandbox task: the table of a workbook (the requested or the largest visible sheet), column by column."""
    from kpi_core.intake import sandbox

    try:
        with CalamineWorkbook.from_path(str(args["path"])) as workbook:
            table = _read_workbook(workbook, args.get("sheet"))
    except PasswordError:
        return {"status": "refused", "code": "encrypted", "args": {}}, []
    except _Refusal as refusal:
        return {"status": "refused", "code": refusal.code, "args": refusal.args_}, []
    metas, buffers = sandbox.encode_columns(table.data, table.blank)
    header = {
        "status": "ok",
        "sheets": table.sheets,
        "sheet": table.sheet,
        "header_row": table.header_row,
        "columns": table.columns,
        "rows": int(table.data.shape[0]),
        "cols": metas,
    }
    return header, buffers


def sandbox_xlsx_sheets(args: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]]:
    """Sandbox task: the sheet names of a workbook."""
    try:
        with CalamineWorkbook.from_path(str(args["path"])) as workbook:
            return {"status": "ok", "sheets": list(workbook.sheet_names)}, []
    except PasswordError:
        return {"status": "refused", "code": "encrypted", "args": {}}, []


def _read_workbook(workbook: CalamineWorkbook, sheet: str | None) -> _WorkbookTable:
    """The requested sheet's table, or the largest table of the visible worksheets; raises _Refusal."""
    names = list(workbook.sheet_names)
    table: _SheetTable | str | None
    if sheet is not None:
        if sheet not in names:
            raise _Refusal("sheet_missing", sheet=sheet, sheets=names)
        table = _read_sheet_table(workbook, sheet)
        if isinstance(table, str):
            raise _Refusal(table, sheet=sheet)
    else:
        table = _largest_visible_table(workbook)
        if table is None:
            raise _Refusal("no_table")
    columns, data, blank = _table_data(table)
    return _WorkbookTable(names, table.sheet, table.header_row, columns, data, blank)


def _largest_visible_table(workbook: CalamineWorkbook) -> _SheetTable | None:
    """The table of the visible worksheet with the most non-empty cells (ties: first)."""
    best = None
    for meta in workbook.sheets_metadata:
        if meta.visible != SheetVisibleEnum.Visible or meta.typ != SheetTypeEnum.WorkSheet:
            continue
        table = _read_sheet_table(workbook, meta.name)
        if isinstance(table, _SheetTable) and (best is None or table.count > best.count):
            best = table
    return best


def _read_sheet_table(workbook: CalamineWorkbook, sheet: str) -> _SheetTable | str:
    """The sheet's table, or the failure code ("no_header" / "no_rows"); raises _Refusal for a used range that is
    too large or nearly empty.

    calamine builds the used range (first to last cell holding a value) densely when the sheet is loaded; its size
    is checked before any Python list is made of it. Rows are read from the first used row (calamine's own
    ``skip_empty_area``), so a lone cell at XFD1048576 is one cell, not 17 billion; the header search still counts
    rows from the top of the sheet.
    """
    data = workbook.get_sheet_by_name(sheet)
    start, end = data.start, data.end
    if start is None or end is None:
        rows: list[list[Any]] = []
        row0 = col0 = 0
    else:
        (row0, col0), (row1, col1) = start, end
        cells = (row1 - row0 + 1) * (col1 - col0 + 1)
        if cells > MAX_SHEET_CELLS or col1 - col0 + 1 > MAX_SHEET_COLUMNS:
            raise _Refusal("too_many_cells", sheet=sheet, cells=cells, ref=_range_ref(row0, col0, row1, col1))
        rows = data.to_python(skip_empty_area=True)
    width = max((len(row) for row in rows), default=0)
    grid = np.empty((len(rows), width), dtype=object)
    grid.fill("")
    for i, row in enumerate(rows):
        grid[i, : len(row)] = row
    # Vectorised: a Python loop over every cell of a 100k-row sheet costs about a second.
    filled = (grid != "") & (grid != None)  # noqa: E711 (elementwise comparison)
    values = int(filled.sum())
    if grid.size > SPARSE_MIN_CELLS and values < grid.size * SPARSE_MIN_SHARE:
        ref = _range_ref(row0, col0, row0 + grid.shape[0] - 1, col0 + grid.shape[1] - 1)
        raise _Refusal("sparse", sheet=sheet, cells=int(grid.size), values=values, ref=ref)
    pad = min(row0, HEADER_SEARCH_ROWS + 4)  # blank rows above the used range, as far as the header search looks
    header_index, failure = _locate_header([[]] * pad + rows if pad else rows)
    if header_index is None:
        return failure
    top = header_index - pad
    return _SheetTable(sheet, row0 + top + 1, grid[top:], filled[top:])


def _table_data(table: _SheetTable) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Column names, the data rows (None for blank cells) and where they are blank, for header + data rows without
    empty edge rows and columns; raises _Refusal when the table is wider than MAX_COLUMNS."""
    rows_used = np.flatnonzero(table.filled.any(axis=1))
    cols_used = np.flatnonzero(table.filled.any(axis=0))
    row_end, col_start, col_end = rows_used[-1] + 1, cols_used[0], cols_used[-1] + 1
    if col_end - col_start > MAX_COLUMNS:
        raise _Refusal("too_many_columns", sheet=table.sheet, columns=int(col_end - col_start))
    cells = table.cells[:row_end, col_start:col_end].copy()
    blank = ~table.filled[:row_end, col_start:col_end]
    cells[blank] = None
    return _column_names(list(cells[0])), cells[1:], blank[1:]


def _range_ref(row0: int, col0: int, row1: int, col1: int) -> str:
    """An A1-style range from 0-based bounds: "A1:XFD1048576"."""
    return f"{_column_letters(col0)}{row0 + 1}:{_column_letters(col1)}{row1 + 1}"


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ----------------------------------------------------------------------------------- used range, from cells

_ATTR_RE = re.compile(rb"""([\w:.\-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHEET_TAG_RE = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?sheet\b([^>]*)>")
_REL_TAG_RE = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?Relationship\b([^>]*)>")
# A cell that can hold a value (not self-closing), with a simple reference as its first attribute; and any cell
# that can hold a value. When both counts agree, the references alone give the used range.
_SIMPLE_CELL_RE = re.compile(rb'<(?:[A-Za-z_][\w.\-]*:)?c\s+r="([A-Za-z]{1,3})([0-9]{1,7})"(?:\s[^>]*)?(?<!/)>')
_OPEN_CELL_RE = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?c(?:\s[^>]*)?(?<!/)>")
_TAG_RE = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(row|c)((?:\s[^>]*)?)>")
_REF_RE = re.compile(rb"([A-Za-z]*)([0-9]{1,10})")
_SHEET_DATA_RE = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?sheetData\b")
_SHEET_DATA_END_RE = re.compile(rb"</(?:[A-Za-z_][\w.\-]*:)?sheetData\s*>")


@dataclass
class _Claim:
    """The used range of one sheet part, from its cell references: what the reader would build densely."""

    part: str
    sheet: str | None  # None when the part could not be tied to a sheet
    selected: bool  # one of the sheets this read will load
    first_row: int  # 0-based bounds, as calamine counts them
    last_row: int
    first_col: int
    last_col: int
    values: int  # cells that can hold a value (an upper bound of those that do)
    exact: bool  # every cell was placed the way the reader places it

    @property
    def cells(self) -> int:
        if self.values == 0:
            return 0
        return (self.last_row - self.first_row + 1) * (self.last_col - self.first_col + 1)

    @property
    def width(self) -> int:
        return 0 if self.values == 0 else self.last_col - self.first_col + 1

    @property
    def ref(self) -> str:
        return _range_ref(self.first_row, self.first_col, self.last_row, self.last_col) if self.values else ""


@dataclass
class _XlsxPlan:
    claims: list[_Claim]
    complete: bool  # every part the reader may load was scanned exactly
    uncompressed: int  # all members inflated, from the ZIP directory


def _xlsx_plan(source: _Input, sheet: str | None, *, max_part: int | None = None) -> _XlsxPlan:
    """Scan the sheets' XML for their used ranges without any Excel reader (pure Python, bounded by the ZIP
    directory's sizes). Parts over ``max_part`` bytes are left to the sandbox (the plan is then not complete)."""
    max_part = PRESCAN_MAX_BYTES if max_part is None else max_part
    claims: list[_Claim] = []
    complete = True
    with source.open_binary() as fh, zipfile.ZipFile(fh) as archive:
        infos = archive.infolist()
        uncompressed = sum(i.file_size for i in infos)
        by_name: dict[str, list[zipfile.ZipInfo]] = {}
        for info in infos:
            by_name.setdefault(info.filename.lower(), []).append(info)
        sheets = _workbook_sheets(archive, by_name)
        targets: list[tuple[str | None, bool, str]]  # (sheet, selected, part)
        if sheets is None:  # not tied to sheets: every XML member is a possible sheet, each counts
            complete = False
            targets = [(None, True, part) for part in by_name if part.endswith(".xml")]
        else:
            targets = [(s, v if sheet is None else s == sheet, part) for s, v, part in sheets]
        for sheet_name, selected, part in targets:
            for info in by_name.get(part, []):
                if info.file_size > max_part:
                    complete = False
                    continue
                try:
                    with archive.open(info) as member:
                        xml = member.read(max_part + 1)
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError):
                    complete = False  # a member Python cannot inflate: the sandboxed reader decides
                    continue
                claim = _scan_sheet_xml(xml, part, sheet_name, selected)
                if claim is not None:
                    claims.append(claim)
                    complete = complete and claim.exact
    return _XlsxPlan(claims, complete, uncompressed)


def _workbook_sheets(
    archive: zipfile.ZipFile, by_name: dict[str, list[zipfile.ZipInfo]]
) -> list[tuple[str, bool, str]] | None:
    """(name, visible worksheet, lower-case part) for each sheet, resolved as calamine resolves them; None when the
    workbook or its relationships cannot be read this way."""
    workbook = by_name.get("xl/workbook.xml")
    rels = by_name.get("xl/_rels/workbook.xml.rels")
    if not workbook or not rels or workbook[0].file_size > 4 * 1024**2 or rels[0].file_size > 4 * 1024**2:
        return None
    try:
        rels_xml, workbook_xml = archive.read(rels[0]), archive.read(workbook[0])
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError):
        return None
    targets: dict[bytes, str] = {}
    for match in _REL_TAG_RE.finditer(rels_xml):
        attrs = _attributes(match.group(1))
        if b"Id" in attrs and b"Target" in attrs:
            target = attrs[b"Target"].decode("utf-8", "replace")
            path = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else f"xl/{target}"
            targets[attrs[b"Id"]] = path.lower()
    sheets = []
    for match in _SHEET_TAG_RE.finditer(workbook_xml):
        attrs = _attributes(match.group(1))
        rid = next((v for k, v in attrs.items() if k in (b"r:id", b"relationships:id")), None)
        if b"name" not in attrs or rid not in targets:
            return None
        part = targets[rid]
        state = attrs.get(b"state", b"visible")
        visible = state not in (b"hidden", b"veryHidden") and part.split("/")[1:2] == ["worksheets"]
        sheets.append((html.unescape(attrs[b"name"].decode("utf-8", "replace")), visible, part))
    return sheets


def _attributes(text: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR_RE.finditer(text)}


def _scan_sheet_xml(xml: bytes, part: str, sheet: str | None, selected: bool) -> _Claim | None:
    """The used range of one sheet part; None when it has no <sheetData> (nothing for the reader to build)."""
    start = _SHEET_DATA_RE.search(xml)
    if start is None:
        return None
    end = _SHEET_DATA_END_RE.search(xml, start.end())
    body = xml[start.end() : end.start() if end else len(xml)]
    refs = _SIMPLE_CELL_RE.findall(body)
    if len(refs) == len(_OPEN_CELL_RE.findall(body)):
        if not refs:
            return _Claim(part, sheet, selected, 0, 0, 0, 0, 0, True)
        columns = [_column_index(letters) for letters in set(refs_col for refs_col, _ in refs)]
        rows = [int(digits) - 1 for digits in {digits for _, digits in refs}]
        if min(rows) >= 0:
            return _Claim(part, sheet, selected, min(rows), max(rows), min(columns), max(columns), len(refs), True)
    if len(body) <= PRESCAN_SLOW_MAX_BYTES:
        return _scan_tags(body, part, sheet, selected)
    return _Claim(part, sheet, selected, 0, 0, 0, 0, 0, False)


def _column_index(letters: bytes) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + char - 64
    return index - 1


def _scan_tags(body: bytes, part: str, sheet: str | None, selected: bool) -> _Claim:
    """Place every cell as calamine does: a cell's r attribute gives its row and column; without one it follows
    the previous cell of its row (a row's r sets the row, each </row> moves to the next). Self-closing cells hold
    no value. Anything not understood makes the claim inexact (the sandbox then decides)."""
    row = col = 0
    first_row = first_col = 2**62
    last_row = last_col = -1
    values = 0
    exact = True
    for closing, name, attrs in _TAG_RE.findall(body):
        empty = attrs.endswith(b"/")
        if name == b"row":
            if closing:
                row, col = row + 1, 0
                continue
            position = _ref_attribute(attrs)
            if position is False:
                exact = False
            elif position is not None:
                row = position[0]
            if empty:
                row, col = row + 1, 0
            continue
        if closing:
            continue
        position = _ref_attribute(attrs)
        if position is False or (position is not None and position[1] < 0):
            exact = False
            position = None
        if position is not None:
            row, col = position
        if not empty:
            values += 1
            first_row, last_row = min(first_row, row), max(last_row, row)
            first_col, last_col = min(first_col, col), max(last_col, col)
        col += 1
    if not values:
        return _Claim(part, sheet, selected, 0, 0, 0, 0, 0, exact)
    return _Claim(part, sheet, selected, first_row, last_row, first_col, last_col, values, exact)


def _ref_attribute(attrs: bytes) -> tuple[int, int] | Literal[False] | None:
    """(row, column) of an r attribute (column -1 when it names only a row), None without one, False when it
    cannot be read."""
    if b"r" not in attrs:
        return None
    value = _attributes(attrs).get(b"r")
    if value is None:
        return None
    match = _REF_RE.fullmatch(value)
    if match is None or int(match.group(2)) < 1:
        return False
    return int(match.group(2)) - 1, _column_index(match.group(1)) if match.group(1) else -1


def _check_claim(name: str, claim: _Claim) -> None:
    """Refuse a used range the reader would build too large, or that is large and nearly empty."""
    if claim.cells > MAX_SHEET_CELLS or claim.width > MAX_SHEET_COLUMNS:
        raise _claims_error(name, claim.sheet, claim.cells, claim.ref, "intake.claims_too_many", limit=MAX_SHEET_CELLS)
    if claim.cells > SPARSE_MIN_CELLS and claim.values < claim.cells * SPARSE_MIN_SHARE:
        raise _claims_error(name, claim.sheet, claim.cells, claim.ref, "intake.claims_sparse", values=claim.values)


# --------------------------------------------------------------------------------------- header rules


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell_kind(value: Any) -> str:
    """'text', 'number', 'date' or 'other' (bool) for a CSV string or a calamine cell."""
    if isinstance(value, bool):
        return "other"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return "date"
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if _NUMBER_RE.fullmatch(text):
        return "number"
    if _DATE_RE.fullmatch(text):
        return "date"
    return "text"


def _typed_alike(upper: list[Any], lower: list[Any]) -> bool:
    """Whether two rows agree on the kind of every column where both have a value (and share one)."""
    pairs = [(a, b) for a, b in zip(upper, lower, strict=False) if not _is_blank(a) and not _is_blank(b)]
    return bool(pairs) and all(_cell_kind(a) == _cell_kind(b) for a, b in pairs)


def _looks_like_header(row: list[Any], filled: int, min_cells: int, widest: int) -> bool:
    """Rules (a)-(c): enough cells, wide enough, and mostly text."""
    if filled < min_cells or filled < HEADER_MIN_SHARE * widest:
        return False
    texts = sum(1 for v in row if not _is_blank(v) and _cell_kind(v) == "text")
    return texts * 2 > filled


def _locate_header(rows: list[list[Any]]) -> tuple[int | None, str]:
    """Index of the first header-like row followed by data, else (None, "no_header" | "no_rows").

    A row is header-like when it is wide enough and mostly text (rules a-c), or when all its cells are text and the
    row below it holds numbers or dates: a header narrower than the widest rows of a ragged file is still the
    header, and a data row that happens to be mostly text never takes its place.
    """
    # Only the top of the sheet matters; counting every row of a 10M-row file would dominate the cost.
    filled = [sum(1 for v in row if not _is_blank(v)) for row in rows[: max(HEADER_SEARCH_ROWS + 4, SNIFF_ROWS)]]
    widest = _widest(filled[:SNIFF_ROWS])
    if widest == 0:
        return None, "no_header" if _any_filled(rows, len(filled)) else "no_rows"
    min_cells = 2 if widest >= 2 else 1
    header_without_data = False
    for i in range(min(HEADER_SEARCH_ROWS, len(rows))):
        wide = _looks_like_header(rows[i], filled[i], min_cells, widest)
        if not wide and not _all_text(rows[i], filled[i], min_cells):
            continue
        following = [j for j in range(i + 1, min(i + 4, len(rows))) if filled[j]]
        if not following:
            if not _any_filled(rows, i + 1):
                header_without_data = True
            continue
        nxt = following[0]
        if not wide and not _has_typed(rows[nxt]):
            continue  # a narrow row of text is a header only above numbers or dates
        # A blank gap is allowed below a header. But when the row after the gap looks like a header too,
        # row i is only the header if that row is data (typed like the row below it); else row i is a title.
        if (
            nxt > i + 1
            and _looks_like_header(rows[nxt], filled[nxt], min_cells, widest)
            and not (nxt + 1 < len(rows) and _typed_alike(rows[nxt], rows[nxt + 1]))
        ):
            continue
        return i, ""
    return None, "no_rows" if header_without_data else "no_header"


def _all_text(row: list[Any], filled: int, min_cells: int) -> bool:
    """At least ``min_cells`` cells, every one of them text (no number, date or boolean)."""
    return filled >= min_cells and all(_cell_kind(v) == "text" for v in row if not _is_blank(v))


def _has_typed(row: list[Any]) -> bool:
    """Whether a row holds a number or a date."""
    return any(_cell_kind(v) in ("number", "date") for v in row if not _is_blank(v))


def _widest(filled: list[int]) -> int:
    """The most non-empty cells that a tenth of the rows with two or more (and at least two rows) reach: a few lines
    with too many fields must not make the real header look too narrow. With fewer such rows: the widest row."""
    wide = sorted((n for n in filled if n >= 2), reverse=True)
    need = max(2, len(wide) // 10)
    return wide[need - 1] if len(wide) >= need else max(filled, default=0)


def _any_filled(rows: list[list[Any]], start: int) -> bool:
    """Whether any row from ``start`` on has a non-empty cell (stops at the first one)."""
    return any(not _is_blank(v) for row in rows[start:] for v in row)


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _column_names(cells: list[Any]) -> list[str]:
    """Stripped NFKC names; blanks become column_<n>; repeats get _2, _3 (never colliding)."""
    names: list[str] = []
    seen: set[str] = set()
    for position, value in enumerate(cells, start=1):
        base = unicodedata.normalize("NFKC", _header_text(value)).strip() or f"column_{position}"
        candidate, suffix = base, 2
        while candidate in seen:
            candidate, suffix = f"{base}_{suffix}", suffix + 1
        seen.add(candidate)
        names.append(candidate)
    return names


# ------------------------------------------------------------------------------------------- messages


def _format_mb(size: int) -> str:
    mb = size / (1024 * 1024)
    return f"{mb:.0f}" if mb >= 10 else f"{mb:.2g}" if mb >= 0.01 else f"{mb:.4f}"


def _empty(name: str) -> IntakeError:
    return IntakeError("intake.empty", code="empty", file=name)


def _binary(name: str, kind: str) -> IntakeError:
    """``kind``: what the file looks like ("png", "pdf", "zip", "binary" …; "intake.kind.<kind>" in the catalogue)."""
    return IntakeError("intake.binary", code="binary", file=name, kind=Phrase(f"intake.kind.{kind}"))


def _zip_bomb(name: str) -> IntakeError:
    return IntakeError("intake.zip_bomb", code="zip_bomb", file=name)


def _unreadable(name: str) -> IntakeError:
    return IntakeError("intake.unreadable", code="unreadable", file=name)


def _encrypted(name: str) -> IntakeError:
    return IntakeError("intake.encrypted", code="encrypted", file=name)


def _not_text(name: str) -> IntakeError:
    return IntakeError("intake.not_text", code="unreadable", file=name)


def _claims_error(name: str, sheet: str | None, cells: int, ref: str, key: str, **params: int) -> IntakeError:
    """The used range of a sheet is more than the reader builds, or nearly empty: ``key`` says which
    ("intake.claims_unsafe", "intake.claims_too_many" with ``limit``, "intake.claims_sparse" with ``values``)."""
    where: Phrase | str = Phrase("intake.word.sheet_range", {"sheet": sheet, "ref": ref}) if sheet else ref
    return IntakeError(key, code="too_many_cells", file=name, cells=cells, where=where, **params)


def _refusal_error(name: str, code: str, args: dict[str, Any]) -> IntakeError:
    """The sentence for a refusal of the table reader. Its values may come from the sandboxed child, so only
    plain strings and integers are taken from them."""

    def text(key: str) -> str:
        value = args.get(key)
        return value if isinstance(value, str) else ""

    def number(key: str) -> int:
        value = args.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    sheet = text("sheet")
    if code == "sheet_missing":
        sheets = args.get("sheets")
        listed = Names(s for s in sheets if isinstance(s, str)) if isinstance(sheets, list) else Names(())
        return IntakeError("intake.sheet_missing", code="sheet_missing", file=name, sheet=sheet, sheets=listed)
    if code in ("no_header", "no_rows"):
        return _table_failure(name, sheet, code)
    if code == "no_table":
        return IntakeError("intake.no_table", code="no_rows", file=name)
    if code == "encrypted":
        return _encrypted(name)
    if code == "too_many_cells":
        cells, ref = number("cells"), text("ref")
        return _claims_error(name, sheet or None, cells, ref, "intake.claims_too_many", limit=MAX_SHEET_CELLS)
    if code == "sparse":
        cells, ref = number("cells"), text("ref")
        return _claims_error(name, sheet or None, cells, ref, "intake.claims_sparse", values=number("values"))
    if code == "too_many_columns":
        return IntakeError(
            "intake.sheet_too_many_columns",
            code="too_many_columns",
            file=name,
            sheet=sheet,
            columns=number("columns"),
            limit=MAX_COLUMNS,
        )
    return _unreadable(name)


def _table_failure(name: str, sheet: str | None, code: str) -> IntakeError:
    """No header row ("no_header") or no data rows below it ("no_rows"), in a CSV or a named sheet."""
    key, params = ("intake.no_rows", {}) if code == "no_rows" else ("intake.no_header", {"rows": HEADER_SEARCH_ROWS})
    if sheet is not None:
        return IntakeError(f"{key}_sheet", code=code, file=name, sheet=sheet, **params)
    return IntakeError(key, code=code, file=name, **params)
