"""The digest as PDF (kpi_core/digest_pdf.py, `digest --format pdf`): one A4 page for the sales sample in Japanese
and English, every sentence of the digest in it as extractable text (so the KGI's figures too), user text kept as
text (reportlab's markup escaped), bytes on stdout or in --output, one sentence when the file cannot be written.

The PDF is read here by plain means, not by the code under test: page objects are counted, the page's content
stream is decoded (ASCII85 then Flate, as its /Filter says) and the strings it shows are read as UTF-16BE (the
UniJIS-UCS2 encoding of the CID font)."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import io
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from kpi_core.cli import main
from kpi_core.digest import Digest, OffTrack, OwnerGap, build_digest
from kpi_core.digest_pdf import digest_pdf, paragraph_text
from kpi_core.goals import load_template
from kpi_core.intake.load import Dataset, FileInput, load_dataset
from kpi_core.report import build_report

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "sales_deals_ja.csv"
PREV = ROOT / "sample_data" / "sales_deals_ja_prev.csv"
AS_OF = dt.date(2026, 11, 15)
A4_POINTS = (595.27, 841.89)  # 210 × 297 mm at 72 points to the inch


# --- reading a PDF by plain means ----------------------------------------------------------------------------------
def pdf_pages(pdf: bytes) -> int:
    """The page objects (/Pages is the tree root, not a page)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def _streams(pdf: bytes) -> list[bytes]:
    """Every stream's bytes, decoded by its /Filter (ASCII85 and Flate are what reportlab writes)."""
    found = []
    for match in re.finditer(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", pdf, re.S):
        header, data = match.group(1), match.group(2)
        if b"/ASCII85Decode" in header:
            data = base64.a85decode(data.strip().removesuffix(b"~>"), adobe=False)
        if b"/FlateDecode" in header:
            data = zlib.decompress(data)
        found.append(data)
    return found


def _literal(body: bytes) -> bytes:
    """A PDF literal string's bytes: backslash escapes (octal, \\n, \\(, …) resolved."""
    out, i = bytearray(), 0
    simple = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while i < len(body):
        char = body[i]
        if char != 0x5C:
            out.append(char)
            i += 1
            continue
        nxt = body[i + 1]
        if 0x30 <= nxt <= 0x37:
            digits = re.match(rb"[0-7]{1,3}", body[i + 1 : i + 4]).group(0)
            out.append(int(digits, 8))
            i += 1 + len(digits)
        else:
            out.append(simple.get(nxt, nxt))
            i += 2
    return bytes(out)


def pdf_text(pdf: bytes) -> str:
    """The text the pages show with the CID font (F2 onwards: F1 is reportlab's initial Helvetica), UTF-16BE."""
    parts = []
    for stream in _streams(pdf):
        for match in re.finditer(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream, re.S):
            parts.append(_literal(match.group(1)).decode("utf-16-be"))
    return "".join(parts)


def squeeze(text: str) -> str:
    """Without white space: a sentence wrapped over two lines of the page loses the space where it broke."""
    return re.sub(r"\s+", "", text)


def test_the_plain_reader_reads_what_it_should() -> None:
    assert pdf_pages(b"<< /Type /Pages /Count 2 >> << /Type /Page >> << /Type/Page >>") == 2
    stream = zlib.compress(b"BT (\\000A\\000\\(0B\\377\\032) Tj ET")  # A, (, U+3042 and U+FF1A as UTF-16BE
    pdf = b"<< /Filter [ /FlateDecode ] >> stream\n" + stream + b"endstream"
    assert pdf_text(pdf) == "A(あ："


# --- the sample ----------------------------------------------------------------------------------------------------
@functools.cache
def sample(path: Path) -> Dataset:
    return load_dataset([FileInput(path.name, path)])


@functools.cache
def digest(lang: str) -> Digest:
    return build_digest(load_template("sales", lang), sample(SAMPLE), AS_OF, since=sample(PREV), lang=lang)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_command_writes_one_a4_page_with_every_sentence(tmp_path: Path, lang: str) -> None:
    target = tmp_path / f"digest_{lang}.pdf"
    args = ["--as-of", AS_OF.isoformat(), "--since", str(PREV), "--output", str(target), "--lang", lang]
    status, out, err = run("digest", str(SAMPLE), "--goals", f"template:sales_{lang}", "--format", "pdf", *args)
    assert status == 3 and out == "" and err == ""  # the KGI is off track in the sample: the scheduler's status
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf_pages(pdf) == 1
    box = [float(v) for v in re.search(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf).group(1).split()]
    assert box[:2] == [0, 0] and box[2:] == pytest.approx(A4_POINTS, abs=0.01)
    assert b"/HeiseiKakuGo-W5" in pdf and b"/UniJIS-UCS2-H" in pdf  # the built-in Japanese font, no file
    text = squeeze(pdf_text(pdf)).replace("•", "")  # the bullets before each fact
    # The KGI's forecast, target and range as the report gives them (the report's own tests check those figures).
    figures = build_report(load_template("sales", lang), sample(SAMPLE), AS_OF).figures
    for key in ("forecast", "target", "low", "high", "probability"):
        assert squeeze(figures[f"kgi.{key}"].text(lang, currency="JPY")) in text, key
    # Every heading and fact of the digest, in order.
    lines = [squeeze(line) for line in digest(lang).lines(lang)]
    assert "".join(lines) == text
    assert {"ja": "受注：2件", "en": "Won:2"}[lang] in text  # two deals won in the week (tests/test_digest.py)


def test_user_text_stays_text() -> None:
    hostile = '<font size="40">big</font> & <a href="http://evil.example">link</a> <b>\x00'
    owner = OwnerGap(hostile, 1.0, 2.0, -1.0, 0.5)
    found = dataclasses.replace(
        digest("en"), kgi_name=hostile, off_track=[OffTrack("k", hostile, "count", 1.0, 2.0, 0.5, (owner,))]
    )
    pdf = digest_pdf(found)
    assert pdf_pages(pdf) == 1
    text = pdf_text(pdf)
    assert '<font size="40">big</font> & <a href="http://evil.example">link</a> <b>' in text
    assert b"/URI" not in pdf and b"/Annots" not in pdf  # no link was made
    assert paragraph_text("a<b>&c\u2028d") == "a&lt;b&gt;&amp;c d"


def test_a_long_digest_is_set_smaller_to_stay_on_one_page() -> None:
    base = digest("ja")
    owners = tuple(OwnerGap(f"担当者{i}", 1.0, 2.0, -1.0, 0.5) for i in range(3))
    many = [OffTrack(f"k{i}", f"KPI {i}", "count", 1.0, 2.0, 0.5, owners) for i in range(14)]
    found = dataclasses.replace(base, off_track=many)
    assert len(found.lines("ja")) > 50
    pdf = digest_pdf(found)
    assert pdf_pages(pdf) == 1
    assert squeeze("".join(found.lines("ja"))) == squeeze(pdf_text(pdf)).replace(
        "•", ""
    )  # nothing left out to make it fit
    sizes = {float(s) for s in re.findall(rb"/F2 ([\d.]+) Tf", b"".join(_streams(pdf)))}
    assert max(sizes) < 17  # the title was set below its full size


def test_the_same_digest_gives_the_same_bytes() -> None:
    assert digest_pdf(digest("en")) == digest_pdf(digest("en"))


def test_pdf_on_stdout() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kpi_core", "digest", str(SAMPLE), "--goals", "template:sales_en", "--as-of",
         AS_OF.isoformat(), "--format", "pdf", "--lang", "en"],
        capture_output=True, timeout=120, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert result.stdout.startswith(b"%PDF-1.") and pdf_pages(result.stdout) == 1
    assert result.stderr == b""


def test_pdf_is_not_sent_to_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    status, out, err = run("digest", str(SAMPLE), "--goals", "template:sales_en", "--format", "pdf", "--lang", "en")
    assert status == 2 and out == "" and err.count("\n") == 1 and "--output" in err


def test_an_unwritable_output_is_one_sentence(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "digest.pdf"
    status, out, err = run("digest", str(SAMPLE), "--goals", "template:sales_ja", "--as-of", AS_OF.isoformat(),
                           "--format", "pdf", "--output", str(target), "--lang", "ja")  # fmt: skip
    assert status == 2 and out == "" and err.count("\n") == 1
    assert str(target) in err and "書き出せませんでした" in err and not target.exists()


def test_output_takes_the_text_formats_too(tmp_path: Path) -> None:
    target = tmp_path / "digest.md"
    status, out, _ = run("digest", str(SAMPLE), "--goals", "template:sales_en", "--as-of", AS_OF.isoformat(),
                         "--output", str(target), "--lang", "en")  # fmt: skip
    assert status == 3 and out == ""
    assert target.read_text(encoding="utf-8") == digest_without_since("en").to_markdown("en")


def digest_without_since(lang: str) -> Digest:
    return build_digest(load_template("sales", lang), sample(SAMPLE), AS_OF, lang=lang)
