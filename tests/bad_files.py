"""Builders of awkward and hostile input files (as bytes) for the intake tests."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import random
import struct
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Font

# ------------------------------------------------------------------------------------------- not data


def empty() -> bytes:
    """Zero bytes."""
    return b""


def whitespace_only() -> bytes:
    """Blank lines, spaces and tabs only."""
    return b" \r\n\t\n   \n"


def bom_only() -> bytes:
    """A UTF-8 BOM followed by a line break: what an editor saves for an 'empty' UTF-8 file."""
    return codecs.BOM_UTF8 + b"\r\n"


def random_binary(size: int = 4096, seed: int = 7) -> bytes:
    """Seeded random bytes (with NULs), starting with no known magic number."""
    return b"\x00\x01\x02\x03" + random.Random(seed).randbytes(size - 4)


def png_header() -> bytes:
    """The start of a PNG image (signature and IHDR chunk)."""
    ihdr = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + b"\x00" * 4 + b"IDAT" * 20


def pdf_header() -> bytes:
    """The start of a PDF document."""
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"


def docx_like_zip() -> bytes:
    """A real ZIP laid out like a Word document (no xl/workbook.xml)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><w:body>売上報告</w:body></w:document>")
    return buffer.getvalue()


# --------------------------------------------------------------------------------------- OLE / CFB


def _cfb(entry_names: list[str]) -> bytes:
    """A minimal compound-file (OLE) container: header, one FAT sector, one directory sector."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into("<IIII", header, 40, 0, 1, 1, 0)  # dir sectors, FAT sectors, first dir sector, txn
    struct.pack_into("<IIIII", header, 56, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<I", header, 76, 0)  # DIFAT[0] = sector 0 holds the FAT
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, 0xFFFFFFFF)
    fat = struct.pack("<II", 0xFFFFFFFD, 0xFFFFFFFE) + b"\xff" * (512 - 8)
    directory = bytearray()
    for index, name in enumerate(["Root Entry", *entry_names]):
        entry = bytearray(128)
        encoded = (name + "\x00").encode("utf-16-le")
        entry[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded), 5 if index == 0 else 2, 1)
        struct.pack_into("<III", entry, 68, 0xFFFFFFFF, 0xFFFFFFFF, 1 if index == 0 else 0xFFFFFFFF)
        directory += entry
    directory += b"\x00" * (512 - len(directory) % 512 if len(directory) % 512 else 0)
    return bytes(header) + fat + bytes(directory)


def legacy_xls_header() -> bytes:
    """An Excel 97-2003 (.xls) style OLE container with a 'Workbook' stream name."""
    return _cfb(["Workbook", "\x05SummaryInformation"])


def encrypted_xlsx_like() -> bytes:
    """What Excel writes for a password-protected .xlsx: OLE with EncryptionInfo and EncryptedPackage."""
    return _cfb(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"])


# ------------------------------------------------------------------------------------------------ zip


def zip_bomb_xlsx(megabytes: int = 50) -> bytes:
    """A real ZIP with xl/workbook.xml and one sheet member of ``megabytes`` MB of zeros (ratio ~1000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"\x00" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(block)
    return buffer.getvalue()


def zip_with_many_members(count: int = 10_001) -> bytes:
    """A ZIP with xl/workbook.xml and ``count`` tiny members in total."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(count - 1):
            archive.writestr(f"xl/m/{i}.xml", b"")
    return buffer.getvalue()


def zip_with_incompressible_member(megabytes: int = 2) -> bytes:
    """A ZIP with xl/workbook.xml and ``megabytes`` MB of random bytes (ratio ~1:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/media/blob.bin", random.Random(3).randbytes(megabytes * 1024 * 1024))
    return buffer.getvalue()


def truncated_xlsx() -> bytes:
    """A real workbook cut in half, as from an interrupted download."""
    data = xlsx_with_titles_and_hidden_sheet()
    return data[: len(data) // 2]


def corrupt_workbook_xml_xlsx() -> bytes:
    """A valid ZIP whose xl/workbook.xml is not XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types")
        archive.writestr("_rels/.rels", "not xml at all <<<")
        archive.writestr("xl/workbook.xml", "\x00\x01 garbage")
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------ csv


def cp932_csv_with_titles() -> bytes:
    """Shift_JIS (cp932) CSV as Japanese Excel saves it: two title lines, a blank line, CRLF, header on line 4."""
    text = (
        "2025年度 営業KPI管理表\r\n"
        "出力日: 2025/04/01\r\n"
        "\r\n"
        "日付,担当者,売上金額（円）,ﾒﾓ\r\n"
        '2025/04/01,山田,"1,200,000",初回訪問\r\n'
        "2025/04/02,佐藤,800000,\r\n"
        "2025/04/03,ｽｽﾞｷ,500000,再訪\r\n"
    )
    return text.encode("cp932")


def utf8_bom_semicolon_csv() -> bytes:
    """UTF-8 with BOM, semicolon-separated, decimal commas and a quoted semicolon (European Excel)."""
    return codecs.BOM_UTF8 + b'Region;Amount;Note\nEast;10,5;"a;b"\nWest;20,0;plain\n'


def tab_separated_csv() -> bytes:
    """UTF-8 tab-separated text with a title line and a blank line above the header (line 3)."""
    return "週次レポート\n\nname\tcity\tvisits\nAlice\tTokyo\t3\nBob\tOsaka\t5\n".encode()


def utf16_csv() -> bytes:
    """UTF-16 LE with BOM, tab-separated, CRLF: Excel's 'Unicode Text' export."""
    return codecs.BOM_UTF16_LE + "顧客\t金額\r\nA社\t100\r\nB社\t200\r\n".encode("utf-16-le")


def header_only_csv() -> bytes:
    """A header row and nothing below it."""
    return "日付,売上,件数\n\n".encode()


def numbers_only_csv() -> bytes:
    """Rows of numbers and dates only: no header row anywhere."""
    return b"2025-04-01,100,3\n2025-04-02,200,4\n2025-04-03,300,5\n"


def latin1_csv() -> bytes:
    """Latin-1 text that is neither UTF-8 nor Shift_JIS."""
    return "name,city\nJosé,Málaga\nRenée,Besançon\n".encode("latin-1")


def latin1_csv_valid_as_cp932() -> bytes:
    """Latin-1 text whose bytes happen to be valid cp932 (ñ/ö + letter land in the user-defined area)."""
    return "name,city\nEspaña,Göteborg\n".encode("latin-1")


# ----------------------------------------------------------------------------------------------- xlsx


def _xlsx_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_with_titles_and_hidden_sheet(hidden_rows: int = 1) -> bytes:
    """Sheet 'KPI' (visible): titles in A1:A2, header at B4:E4, 3 data rows, a styled empty cell at H20.

    Sheet 'raw' (hidden): a table with ``hidden_rows`` data rows (1 = fewer cells than 'KPI').
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "KPI"
    sheet["A1"] = "2025年度 営業KPI管理表"
    sheet["A2"] = "出力日: 2025/04/01"
    for col, value in zip("BCDE", ["日付", "担当者", "売上", "受注"], strict=True):
        sheet[f"{col}4"] = value
    rows = [
        (dt.date(2025, 4, 1), "山田", 1200000, True),
        (dt.datetime(2025, 4, 2, 9, 30), "佐藤", 800000.5, False),
        (dt.date(2025, 4, 3), None, 500000, None),
    ]
    for offset, row in enumerate(rows):
        for col, value in zip("BCDE", row, strict=True):
            sheet[f"{col}{5 + offset}"] = value
    sheet["H20"].font = Font(bold=True)  # formatted but empty: must not widen the table
    hidden = workbook.create_sheet("raw")
    hidden.sheet_state = "hidden"
    hidden.append(["id", "value", "note"])
    for i in range(hidden_rows):
        hidden.append([i, i * 10, "x"])
    return _xlsx_bytes(workbook)


def xlsx_data_not_first() -> bytes:
    """'表紙' (cover: a few title lines), 'データ' (the table), 'メモ' (two-column notes)."""
    workbook = Workbook()
    cover = workbook.active
    cover.title = "表紙"
    cover["A1"] = "営業KPIレポート"
    cover["A3"] = "作成: 営業企画部"
    data = workbook.create_sheet("データ")
    data.append(["月", "リード", "商談", "受注"])
    for month, leads in enumerate([400, 380, 420, 410, 395], start=1):
        data.append([f"2025-{month:02d}", leads, leads // 5, leads // 20])
    notes = workbook.create_sheet("メモ")
    notes.append(["項目", "内容"])
    notes.append(["作成者", "山田"])
    return _xlsx_bytes(workbook)


def xlsx_without_table() -> bytes:
    """Two visible sheets with only title text and a lone number: no header row with data."""
    workbook = Workbook()
    first = workbook.active
    first.title = "表紙"
    first["A1"] = "営業KPIレポート"
    second = workbook.create_sheet("空")
    second["C3"] = 42
    return _xlsx_bytes(workbook)


# ------------------------------------------------------------------------------------ hostile xlsx / csv


def xlsx_from_sheet_xml(sheet_data: str, *, dimension: str | None = None, extra_sheets: int = 0) -> bytes:
    """A minimal workbook written by hand: one sheet 'Data' whose <sheetData> body is ``sheet_data`` (XML text),
    with an optional <dimension ref> (which nothing should trust), and ``extra_sheets`` small visible sheets."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    names = ["Data", *[f"Extra{i}" for i in range(1, extra_sheets + 1)]]
    sheets = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, start=1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(names) + 1)
    )
    types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{types}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            f"<sheets>{sheets}</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            "</Relationships>",
        )
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}">{dim}'
            f"<sheetData>{sheet_data}</sheetData></worksheet>",
        )
        for i in range(2, len(names) + 1):
            archive.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'
                '<row r="1"><c r="A1" t="inlineStr"><is><t>note</t></is></c></row></sheetData></worksheet>',
            )
    return buffer.getvalue()


def _xml_cell(ref: str, value: object) -> str:
    if isinstance(value, str):
        text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def small_table_xml(rows: int = 5) -> str:
    """<row> elements of a deal table in A1:D{rows + 1}: id, stage, amount, owner."""
    lines = [["id", "stage", "amount", "owner"]] + [[f"D{i}", "Won", 100 * i, "Ann"] for i in range(1, rows + 1)]
    return "".join(
        f'<row r="{r}">' + "".join(_xml_cell(f"{col}{r}", v) for col, v in zip("ABCD", line, strict=True)) + "</row>"
        for r, line in enumerate(lines, start=1)
    )


def _split_ref(ref: str) -> tuple[str, int]:
    letters = ref.rstrip("0123456789")
    return letters, int(ref[len(letters) :])


def xlsx_single_far_cell(ref: str = "XFD1048576") -> bytes:
    """A workbook of about 1-2 KB whose only cell sits at ``ref`` (XFD1048576: Excel's last cell)."""
    _, row = _split_ref(ref)
    return xlsx_from_sheet_xml(f'<row r="{row}">{_xml_cell(ref, 1)}</row>', dimension=f"A1:{ref}")


def xlsx_table_with_far_cell(ref: str) -> bytes:
    """A five-row deal table in A1:D6 and one stray value at ``ref`` (XFD5000, G1048576 …)."""
    _, row = _split_ref(ref)
    return xlsx_from_sheet_xml(small_table_xml() + f'<row r="{row}">{_xml_cell(ref, "x")}</row>')


def xlsx_lying_dimension() -> bytes:
    """<dimension ref="A1:D6"> over a table that also holds a value at XFD1048576: the cells decide, not the tag."""
    return xlsx_from_sheet_xml(
        small_table_xml() + f'<row r="1048576">{_xml_cell("XFD1048576", 1)}</row>', dimension="A1:D6"
    )


def xlsx_cells_without_refs(columns: int) -> bytes:
    """A header row and one data row whose cells carry no r attribute (positions follow from order), ``columns``
    wide: readers must count positions the way Excel readers do."""
    header = "".join(f'<c t="inlineStr"><is><t>col{i}</t></is></c>' for i in range(columns))
    values = "".join(f"<c><v>{i}</v></c>" for i in range(columns))
    return xlsx_from_sheet_xml(f"<row>{header}</row><row>{values}</row>")


def xlsx_formula_cells() -> bytes:
    """A table whose cells hold formulas (with cached values) and formula-looking text."""
    rows = (
        '<row r="1">' + _xml_cell("A1", "id") + _xml_cell("B1", "amount") + _xml_cell("C1", "note") + "</row>"
        '<row r="2">'
        + _xml_cell("A2", "D1")
        + '<c r="B2"><f>SUM(1,2)</f><v>3</v></c>'
        + _xml_cell("C2", '=HYPERLINK("http://x")')
        + "</row>"
        '<row r="3">'
        + _xml_cell("A3", "D2")
        + '<c r="B3" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        + _xml_cell("C3", "+cmd")
        + "</row>"
    )
    return xlsx_from_sheet_xml(rows)


def csv_many_columns(columns: int = 10_000, rows: int = 20) -> bytes:
    """A CSV ``columns`` wide: a header of names and ``rows`` rows of numbers."""
    header = ",".join(f"c{i}" for i in range(columns))
    line = ",".join(str(i % 10) for i in range(columns))
    return (header + "\n" + (line + "\n") * rows).encode()


def utf8_csv_with_sjis_line() -> bytes:
    """UTF-8 CSV of Japanese names where line 4 alone was pasted in from a Shift_JIS export."""
    head = "担当者,顧客,金額\n山田太郎,株式会社あおば,100\n佐藤花子,さくら商事,200\n".encode()
    sjis = "鈴木一郎,みどり工業,300\n".encode("cp932")
    tail = "高橋次郎,ひかり物産,400\n".encode()
    return head + sjis + tail


def csv_doubled_quotes() -> bytes:
    """Quoted fields with doubled quotes inside ("" for "), CRLF and LF mixed (which sends DuckDB to its lenient
    reader), and a quote seen only far past DuckDB's sniffing sample."""
    lines = ["id,name,amount\r\n", '1,"Smith, ""Bob""",100\n', "2,Ann,200\r\n"]
    lines += [f"{i},n{i},{i}\n" for i in range(3, 25_003)]
    lines.append('25003,"O""Neil, ""Jr""",5\n')
    return "".join(lines).encode()


def ragged_csv_numeric_first_line() -> bytes:
    """A report number on line 1, the header on line 2, and data rows carrying two unnamed extra values each,
    some of them text: the header must still be line 2, not the first data row that is mostly text."""
    lines = ["20250401,3\n", "id,stage,amount\n"]
    lines += [f"D{i},Won,{100 * i},web,East,Tokyo\n" for i in range(1, 9)]
    return "".join(lines).encode()
