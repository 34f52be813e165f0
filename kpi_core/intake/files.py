"""First intake layer: turn user bytes or a local path into a DuckDB-readable CSV or an xlsx frame."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import re
import unicodedata
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from kpi_core.intake.errors import IntakeError

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
_ENCRYPTION_MARKERS = tuple(
    marker
    for word in ("EncryptedPackage", "EncryptionInfo")
    for marker in (word.encode("utf-16-le"), word.encode("ascii"))
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGICS = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"%PDF-", "a PDF document"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)


@dataclass(frozen=True)
class BadLine:
    """A CSV line left out because it has more fields than the header."""

    line: int  # 1-based line of the original file where the record starts, as a text editor numbers lines
    fields: int  # how many fields the line has
    expected: int  # how many the header has


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
            return _open_xlsx(source, sheet)
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
        with _open_workbook(source) as workbook:
            return list(workbook.sheet_names)
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
        with self.path.open("rb") as fh:  # type: ignore[union-attr]
            return fh.read(n)

    def iter_chunks(self) -> Iterator[bytes]:
        size = CHUNK_BYTES  # read at call time so tests can shrink it
        if self.data is not None:
            for start in range(0, len(self.data), size):
                yield self.data[start : start + size]
            return
        with self.path.open("rb") as fh:  # type: ignore[union-attr]
            while chunk := fh.read(size):
                yield chunk

    def open_binary(self) -> IO[bytes]:
        return io.BytesIO(self.data) if self.data is not None else self.path.open("rb")  # type: ignore[union-attr]


def _load_input(name: str, data: bytes | Path, max_bytes: int | None) -> _Input:
    """Wrap the input and apply the empty / size checks (stat for a path, before any read)."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        source = _Input(name, bytes(data), None, len(data))
    else:
        path = Path(data)
        try:
            stat = path.stat()
        except OSError as exc:
            raise IntakeError(
                f"{name} could not be opened: check that the file exists and is readable, then try again.",
                code="unreadable",
                file=name,
            ) from exc
        if not path.is_file():
            raise IntakeError(
                f"{name} is not a regular file: choose a .csv or .xlsx file.", code="unreadable", file=name
            )
        source = _Input(name, None, path, stat.st_size)
    if source.size == 0:
        raise _empty(name)
    if max_bytes is not None and source.size > max_bytes:
        raise IntakeError(
            f"{name} is {_format_mb(source.size)} MB, over the {_format_mb(max_bytes)} MB limit: "
            "filter or split it (for example by period) and upload the parts.",
            code="too_large",
            file=name,
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
            raise IntakeError(
                f"{name} is password-protected: save an unprotected copy in Excel "
                "(File > Info > Protect Workbook) and upload that.",
                code="encrypted",
                file=name,
            )
        raise IntakeError(
            f"{name} is an old-format Excel 97-2003 (.xls) file: open it in Excel, save it as .xlsx or CSV, "
            "and upload that.",
            code="bad_extension",
            file=name,
        )
    for magic, what in _BINARY_MAGICS:
        if head.startswith(magic):
            raise _binary(name, what)
    is_utf16 = head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE)
    if not is_utf16 and b"\x00" in head:
        raise _binary(name, "binary data")
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
    encoding, has_quote = _detect_encoding(source)
    sample = _decode_sample(source, encoding)
    delimiter = _sniff_delimiter(sample)
    records = _read_records(sample, delimiter, SNIFF_ROWS)
    if unwrap and has_quote and _mostly_one_field(records) and _unwrapped_sample(sample):
        return _open_unwrapped(source, encoding, workdir)
    header_index, failure = _locate_header([fields for _, fields in records])
    if header_index is None:
        raise _table_failure(name, None, failure)
    header_line = records[header_index][0]
    columns = _column_names(records[header_index][1])
    _check_width([fields for _, fields in records[header_index:]], name)

    if source.path is not None and encoding == "utf-8":
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
    multiline = has_quote and _has_quoted_line_break(csv_path, skip_lines)
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
        encoding=encoding,
        skip_lines=skip_lines,
        multiline=multiline,
    )


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
        raise IntakeError(
            f"{name}: most rows have {fields} values but the header row names only {width} columns: "
            "give every column a name in the header row (or remove the extra values) and upload again.",
            code="too_many_fields",
            file=name,
        )
    cells = [r[0] for r in data if len(r) == 1]
    separated = [c for c in cells if any(d in c for d in DELIMITERS)]
    header_separated = width == 1 and any(d in header[0] for d in DELIMITERS)
    if header_separated and len(separated) >= 2 and len(separated) * 2 > len(cells):
        raise IntakeError(
            f"{name}: every line holds one quoted cell with separators inside: save it again as a normal CSV "
            "(one value per column) and upload again.",
            code="one_column",
            file=name,
        )


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


def _open_unwrapped(source: _Input, encoding: str, workdir: Path) -> SourceFile:
    """Write the file with each line's outer quotes removed (line numbers unchanged) as UTF-8 and open that."""
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / f"source_{uuid.uuid4().hex}.csv"
    try:
        with (
            source.open_binary() as raw,
            io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="") as text,
            target.open("w", encoding="utf-8", newline="") as out,
        ):
            for record, _ in _unwrapped_records(text):
                out.write(record)
        copy = _Input(source.name, None, target, target.stat().st_size)
        opened = _open_csv(copy, workdir, unwrap=False)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    opened.encoding = encoding  # as the user's file is encoded
    opened.unwrapped = True
    return opened


def _detect_encoding(source: _Input) -> tuple[str, bool]:
    """BOM first, then strict UTF-8 over the whole file, then cp932; never a silent latin-1 guess.

    Also says whether the file has any double quote (the only way a field can hold a line break)."""
    head = source.read_head(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp932"]
    for encoding in candidates:
        try:
            has_text, has_quote = _scan_text(source, encoding)
        except (UnicodeError, LookupError):
            continue
        if not has_text:
            raise _empty(source.name)
        return encoding, has_quote
    raise IntakeError(
        f"{source.name} is not UTF-8 or Shift_JIS text: save it as 'CSV UTF-8 (comma delimited)' "
        "(Excel: File > Save As) and upload that.",
        code="unreadable",
        file=source.name,
    )


def _decode_chunks(source: _Input, encoding: str) -> Iterator[str]:
    """Strictly decoded text of the whole file, chunk by chunk (multi-byte characters may span chunks)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    for chunk in source.iter_chunks():
        if text := decoder.decode(chunk):
            yield text
    if tail := decoder.decode(b"", final=True):
        yield tail


def _scan_text(source: _Input, encoding: str) -> tuple[bool, bool]:
    """Validate the whole file in the encoding; return whether it has any non-whitespace text and any '"'."""
    has_text = has_quote = False
    for text in _decode_chunks(source, encoding):
        # Latin-1 bytes often decode as cp932 into the user-defined area; real Japanese exports rarely use it.
        if encoding == "cp932" and _PRIVATE_USE_RE.search(text):
            raise UnicodeError("cp932 private use area")
        if not has_text and text.strip():
            has_text = True
        if not has_quote and '"' in text:  # a C-speed search per chunk, stopped at the first hit
            has_quote = True
    return has_text, has_quote


def _decode_sample(source: _Input, encoding: str) -> str:
    """The first SNIFF_BYTES decoded, cut at the last line break unless it is the whole file."""
    raw = source.read_head(SNIFF_BYTES)
    complete = len(raw) >= source.size
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
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


def _write_utf8_copy(source: _Input, encoding: str, skip: int, target: Path) -> None:
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
        raise IntakeError(
            f"{name} looks like an Excel or ZIP file but is damaged (perhaps cut off during download): "
            "open it in Excel, save it again as .xlsx, and upload that.",
            code="unreadable",
            file=name,
        ) from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise _zip_bomb(name)
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names or "content.xml" in names:
            raise IntakeError(
                f"{name} is a spreadsheet format this app does not read (.xlsb or .ods): "
                "save it as .xlsx or CSV and upload that.",
                code="bad_extension",
                file=name,
            )
        raise _binary(name, "a ZIP archive or Word/PowerPoint document")
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
        raise IntakeError(
            f"{source.name} is password-protected: save an unprotected copy in Excel "
            "(File > Info > Protect Workbook) and upload that.",
            code="encrypted",
            file=source.name,
        ) from exc


@dataclass
class _SheetTable:
    """A detected table: 0-based header row index, cells from the header row on, and where they are filled."""

    header_index: int
    cells: np.ndarray  # 2-D object array, header row first
    filled: np.ndarray  # bool, same shape: the cell is not "" / None

    @property
    def count(self) -> int:
        return int(self.filled.sum())


def _open_xlsx(source: _Input, sheet: str | None) -> SourceFile:
    """Read the requested sheet, or the visible sheet holding the largest table."""
    name = source.name
    with _open_workbook(source) as workbook:
        sheet_names = list(workbook.sheet_names)
        if sheet is not None:
            if sheet not in sheet_names:
                listed = ", ".join(f"'{s}'" for s in sheet_names)
                raise IntakeError(
                    f"{name} has no sheet named '{sheet}': choose one of {listed}.",
                    code="sheet_missing",
                    file=name,
                )
            table = _read_sheet_table(workbook, sheet)
            if isinstance(table, str):
                raise _table_failure(name, sheet, table)
            chosen = sheet
        else:
            chosen, table = _largest_visible_table(workbook)
            if table is None:
                raise IntakeError(
                    f"{name} has no table on any visible sheet (a row of column names with data below it): "
                    "put the data under one header row on a visible sheet and upload again.",
                    code="no_rows",
                    file=name,
                )
    columns, frame = _table_frame(table)
    return SourceFile(
        name=name,
        kind="xlsx",
        sheets=sheet_names,
        sheet=chosen,
        columns=columns,
        header_row=table.header_index + 1,
        csv_path=None,
        delimiter="",
        frame=frame,
        encoding="",
        skip_lines=0,
    )


def _largest_visible_table(workbook: CalamineWorkbook) -> tuple[str | None, _SheetTable | None]:
    """The visible worksheet whose detected table has the most non-empty cells (ties: first)."""
    best_name, best = None, None
    for meta in workbook.sheets_metadata:
        if meta.visible != SheetVisibleEnum.Visible or meta.typ != SheetTypeEnum.WorkSheet:
            continue
        table = _read_sheet_table(workbook, meta.name)
        if isinstance(table, _SheetTable) and (best is None or table.count > best.count):
            best_name, best = meta.name, table
    return best_name, best


def _read_sheet_table(workbook: CalamineWorkbook, sheet: str) -> _SheetTable | str:
    """The sheet's table, or the failure code ("no_header" / "no_rows")."""
    # skip_empty_area=False keeps row i at sheet row i + 1, so header_row is the row Excel shows.
    rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    header_index, failure = _locate_header(rows)
    if header_index is None:
        return failure
    table_rows = rows[header_index:]
    width = max(len(row) for row in table_rows)
    cells = np.empty((len(table_rows), width), dtype=object)
    cells.fill("")
    for i, row in enumerate(table_rows):
        cells[i, : len(row)] = row
    # Vectorised: a Python loop over every cell of a 100k-row sheet costs about a second.
    filled = (cells != "") & (cells != None)  # noqa: E711 (elementwise comparison)
    return _SheetTable(header_index, cells, filled)


def _table_frame(table: _SheetTable) -> tuple[list[str], pd.DataFrame]:
    """Column names and the data frame for header + data rows, without empty edge rows/columns."""
    rows_used = np.flatnonzero(table.filled.any(axis=1))
    cols_used = np.flatnonzero(table.filled.any(axis=0))
    row_end, col_start, col_end = rows_used[-1] + 1, cols_used[0], cols_used[-1] + 1
    cells = table.cells[:row_end, col_start:col_end].copy()
    cells[~table.filled[:row_end, col_start:col_end]] = None
    columns = _column_names(list(cells[0]))
    import pandas as pd  # only Excel input needs pandas: the CSV path stays light for the command line

    return columns, pd.DataFrame(cells[1:], columns=columns, dtype=object)


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
    """Index of the first header-like row followed by data, else (None, "no_header" | "no_rows")."""
    # Only the top of the sheet matters; counting every row of a 10M-row file would dominate the cost.
    filled = [sum(1 for v in row if not _is_blank(v)) for row in rows[: max(HEADER_SEARCH_ROWS + 4, SNIFF_ROWS)]]
    widest = _widest(filled[:SNIFF_ROWS])
    if widest == 0:
        return None, "no_header" if _any_filled(rows, len(filled)) else "no_rows"
    min_cells = 2 if widest >= 2 else 1
    header_without_data = False
    for i in range(min(HEADER_SEARCH_ROWS, len(rows))):
        if not _looks_like_header(rows[i], filled[i], min_cells, widest):
            continue
        following = [j for j in range(i + 1, min(i + 4, len(rows))) if filled[j]]
        if not following:
            if not _any_filled(rows, i + 1):
                header_without_data = True
            continue
        nxt = following[0]
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
    return IntakeError(
        f"{name} is empty: export the data again (a header row with data rows below it) and upload it.",
        code="empty",
        file=name,
    )


def _binary(name: str, what: str) -> IntakeError:
    return IntakeError(
        f"{name} is not a CSV or Excel file (it looks like {what}): upload the data as .csv or .xlsx.",
        code="binary",
        file=name,
    )


def _zip_bomb(name: str) -> IntakeError:
    return IntakeError(
        f"{name} would expand to far more data than its size suggests, so it was not opened for safety: "
        "open it in Excel, save it again as .xlsx or CSV, and upload that.",
        code="zip_bomb",
        file=name,
    )


def _unreadable(name: str) -> IntakeError:
    return IntakeError(
        f"{name} could not be read: check that it opens in Excel or a text editor, save it again as .xlsx "
        "or CSV UTF-8, and upload that.",
        code="unreadable",
        file=name,
    )


def _table_failure(name: str, sheet: str | None, code: str) -> IntakeError:
    where = f"{name} (sheet '{sheet}')" if sheet is not None else name
    if code == "no_rows":
        message = f"{where} has no data rows below a header row: export the file again with the data included."
    else:
        message = (
            f"{where} has no header row in its first {HEADER_SEARCH_ROWS} rows "
            "(a row of column names with data directly below it): put the column names in one row above "
            "the data and upload again."
        )
    return IntakeError(message, code=code, file=name)
