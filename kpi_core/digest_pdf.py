"""The weekly digest (kpi_core.digest) as a one-page A4 PDF, drawn with reportlab and its built-in Japanese CID
font (HeiseiKakuGo-W5: no font file to ship; PDF viewers supply the glyphs), so Japanese and English text alike
print from any machine.

reportlab's Paragraph reads a small markup language: every piece of text is escaped (&, <, >) and stripped of
control characters before it is laid out, so user text (names, ids) is only ever text.
"""

from __future__ import annotations

import html
import io
import re

from kpi_core.digest import Digest

FONT = "HeiseiKakuGo-W5"  # reportlab's Japanese gothic CID font (Adobe-Japan1), its Latin letters included
PAGE_MARGIN_MM = 16.0
# Sizes tried in turn until the digest fits one page (the samples fit at the first; a long list of reps or deals
# is set smaller rather than spill onto a second sheet).
SCALES = (1.0, 0.92, 0.84, 0.76, 0.68, 0.6)
INK, MUTED, ACCENT, RULE = "#1B2430", "#5B6776", "#1F5FA8", "#D5DCE5"  # as the printable HTML pages
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_registered = False


def paragraph_text(text: object) -> str:
    """Text made inert for reportlab's Paragraph markup: control characters become spaces, &, < and > entities."""
    return html.escape(_CONTROL.sub(" ", str(text)), quote=False)


# reportlab ships no type information (no stubs, no py.typed): its imports are marked for mypy where they are.
def _register_font() -> None:
    global _registered
    if not _registered:  # reportlab keeps registered fonts for the process
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True


def digest_pdf(digest: Digest, lang: str | None = None) -> bytes:
    """The digest in `lang` (default its own) as PDF bytes: A4 portrait, one page (set smaller when it would run
    over; at the smallest size a digest that is still too long goes on to a second page rather than lose lines)."""
    lang = lang or digest.lang
    data = b""
    for scale in SCALES:
        data, pages = _build(digest, lang, scale)
        if pages == 1:
            break
    return data


def _build(digest: Digest, lang: str, scale: float) -> tuple[bytes, int]:
    """The PDF at one text size, and how many pages it took."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer

    _register_font()
    size = 10.0 * scale
    title_style = ParagraphStyle(
        "title", fontName=FONT, fontSize=17 * scale, leading=22 * scale, textColor=colors.HexColor(INK)
    )
    heading_style = ParagraphStyle(
        "heading",
        fontName=FONT,
        fontSize=12 * scale,
        leading=16 * scale,
        spaceBefore=9 * scale,
        spaceAfter=3 * scale,
        textColor=colors.HexColor(ACCENT),
    )
    fact_style = ParagraphStyle(
        "fact",
        fontName=FONT,
        fontSize=size,
        leading=size * 1.55,
        leftIndent=5 * mm,
        bulletIndent=1 * mm,
        bulletFontName=FONT,
        bulletFontSize=size,
        spaceAfter=2 * scale,
        textColor=colors.HexColor(INK),
        wordWrap="CJK" if lang == "ja" else None,  # Japanese breaks between any two characters, not at spaces
    )
    title = digest.title(lang)
    story: list = [
        Paragraph(paragraph_text(title), title_style),
        Spacer(1, 2 * scale * mm),
        HRFlowable(width="100%", thickness=1.2, color=colors.HexColor(RULE), spaceAfter=1 * mm),
    ]
    for heading, facts in digest.sections(lang):
        story.append(Paragraph(paragraph_text(heading), heading_style))
        story += [Paragraph(paragraph_text(fact), fact_style, bulletText="•") for fact in facts]
    buffer = io.BytesIO()
    margin = PAGE_MARGIN_MM * mm
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=title,
        author="KPI Pivot",
        creator="KPI Pivot",
        lang=lang,
        invariant=1,  # the same digest gives the same bytes (no creation time or random id inside)
    )
    doc.build(story)
    return buffer.getvalue(), doc.page
