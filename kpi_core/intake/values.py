"""Per-cell readers for amounts, counts, dates and text in Japanese/English spreadsheets and CRM exports."""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, SupportsFloat, TypeGuard, cast

if TYPE_CHECKING:
    import numpy as np


class ValueParseError(ValueError):
    """Raised with a short English reason, e.g. "not an amount: 'abc'"."""


# Shared cleaning

# Invisible characters that survive NFKC and break regexes (zero-width space, word joiner, BOM).
_INVISIBLE: dict[int | str, str | None] = {0x200B: None, 0x2060: None, 0xFEFF: None}
# Parsers also fold the hyphen/minus look-alikes NFKC keeps (U+2212 minus from Word, en dash) to "-".
_PARSER_FOLD = str.maketrans({**_INVISIBLE, "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-"})

_BLANK_WORDS = frozenset({"n/a", "na", "null", "none", "#n/a", "該当なし", "なし", "無し"})
# pandas writes "nan"/"NaT" for missing numbers/dates; "Nan" is also a name, so text keeps them.
_PARSER_ONLY_BLANKS = frozenset({"nan", "nat"})
# A cell made only of dashes ("-", "--", "―", "ー") is a deliberate blank in Japanese sheets.
_DASH_RUN = re.compile(r"[-\u2010-\u2015\u2212\u30fc]+")
_WHITESPACE_RUN = re.compile(r"\s+")


def _is_missing(value: object) -> bool:
    """True for None, NaN (float/Decimal) and pandas NA/NaT."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return math.isnan(float(value))  # numpy float32/float16 are not float subclasses
    return type(value).__name__ in ("NAType", "NaTType")


def _is_blank_text(text: str) -> bool:
    """True for an empty string or a conventional blank marker such as "-", "N/A" or "なし"."""
    return not text or text.casefold() in _BLANK_WORDS or _DASH_RUN.fullmatch(text) is not None


def _cell_text(value: object) -> str | None:
    """Cleaned text of a str cell for the column detectors; None for non-text and blank cells."""
    if not isinstance(value, str):
        return None
    return _parser_text(value, "text")


def _describe(value: object) -> str:
    """Short repr of a cell for error messages."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_number(value: object, kind: str) -> TypeGuard[numbers.Real | Decimal]:
    """True for int/float/Decimal-like numbers; bool is rejected because True is not 1 yen."""
    if type(value).__name__ in ("bool", "bool_"):  # Python bool and numpy bool (named "bool" in numpy 2)
        raise ValueParseError(f"a boolean is not {kind}: {value!r}")
    return isinstance(value, numbers.Real | Decimal)


def _finite_float(value: SupportsFloat, kind: str, original: object = None) -> float | None:
    """float(value), None for NaN, error (naming original, default value) for infinity."""
    result = float(value)
    if math.isnan(result):
        return None
    if math.isinf(result):
        raise ValueParseError(f"infinite, not {kind}: {_describe(value if original is None else original)}")
    return result


def _parser_text(value: object, kind: str) -> str | None:
    """NFKC-normalised, stripped text of a str cell for the parsers; None when it is a blank marker."""
    if not isinstance(value, str):
        raise ValueParseError(f"unsupported type for {kind}: {type(value).__name__}")
    text = value if value.isascii() else unicodedata.normalize("NFKC", value).translate(_PARSER_FOLD)
    text = text.strip()
    if _is_blank_text(text) or text.casefold() in _PARSER_ONLY_BLANKS:
        return None
    return text


# Numbers

# Commas only as real thousands groups ("1,234,567"), a dot is always the decimal point.
_NUMBER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(?:e[+-]?[0-9]{1,3})?|\.[0-9]+"
_PLAIN_NUMBER = re.compile(rf"[-+]?(?:{_NUMBER})", re.ASCII | re.IGNORECASE)
_UNSIGNED_NUMBER = re.compile(_NUMBER, re.ASCII | re.IGNORECASE)
_SCALED_TOKEN = re.compile(rf"\s*(?:(?P<num>{_NUMBER})|(?P<unit>[兆億万千百十]))", re.ASCII | re.IGNORECASE)
_BIG_UNITS = {"兆": 10**12, "億": 10**8, "万": 10**4}
_SMALL_UNITS = {"千": 1000, "百": 100, "十": 10}
_ENGLISH_SCALES = {"k": 10**3, "m": 10**6, "mn": 10**6, "mm": 10**6, "b": 10**9, "bn": 10**9}
_NEGATIVE_MARKS = frozenset("-△▲")

_TAX_NOTE = re.compile(r"\s*\(?\s*税(?:込み?|抜き?|別)\s*\)?\s*$")
_AMOUNT = re.compile(
    r"""
    (?P<open>\()?\s*
    (?P<sign1>[-+△▲])?\s*
    (?P<cur1>US\$|USD|JPY|EUR|GBP|CNY|RMB|[¥$€£\\])?\s*  # "\" is the yen sign as Shift_JIS files decode it
    (?P<sign2>[-+△▲])?\s*
    (?P<body>\S.*?)\s*
    (?P<eng>mn|mm|bn|k|m|b)?\s*
    (?P<cur2>円|JPY|USD|EUR|GBP|CNY|RMB|元|ドル|yen|US\$|[$€£])?\s*  # "1.200 €" is the European order
    (?P<close>\))?\s*
    (?P<trail>-)?
    """,
    re.VERBOSE | re.ASCII | re.IGNORECASE,
)
# "約100万", "approx. $5,000", "100万円程度": the hedge is dropped, the figure is still the best estimate.
_APPROX_PREFIX = re.compile(r"^(?:約|およそ|概算|凡そ|[~〜≈]|approx(?:imately|\.)?|ca\.|circa|about)\s*", re.IGNORECASE)
# The suffix may sit before or after 円 ("100万程度円" is rare, "100万円程度" common).
_APPROX_SUFFIX = re.compile(r"\s*(?:程度|前後|くらい|ぐらい|位)(?=\s*円?\s*$)")
# A run of digits with its separators; with decimal_comma its "." and "," are swapped before parsing.
_NUMBER_RUN = re.compile(r"[0-9][0-9.,]*|[.,][0-9][0-9.,]*")
_SWAP_SEPARATORS = str.maketrans(".,", ",.")
_COUNT = re.compile(r"(?P<sign>[-+△▲])?\s*(?P<body>\S.*?)\s*(?P<counter>件|社|人|回|名|個|本)?")


def _number_from_token(token: str) -> Decimal:
    """Decimal of one number token; commas are thousands separators."""
    return Decimal(token.replace(",", ""))


def _scaled_number(text: str) -> Decimal | None:
    """Value of a number with Japanese scale words ("1億2,000万", "3千", "1.5千万"); None if malformed.

    Big units (兆 億 万) must descend and each lower section must fit below the unit above it;
    small units (千 百 十) multiply the number before them within a section, as in written Japanese.
    """
    total = Decimal(0)
    section = Decimal(0)
    pending: Decimal | None = None
    last_big = last_small = math.inf
    has_digit = False
    pos = 0
    while pos < len(text):
        match = _SCALED_TOKEN.match(text, pos)
        if match is None:
            return None
        pos = match.end()
        if match["num"] is not None:
            if pending is not None:  # two numbers side by side, e.g. "1 200"
                return None
            pending = _number_from_token(match["num"])
            has_digit = True
            continue
        unit_char = match["unit"]
        if unit_char in _SMALL_UNITS:
            unit = _SMALL_UNITS[unit_char]
            if unit >= last_small:
                return None
            section += (pending if pending is not None else 1) * unit
            last_small = unit
        else:
            unit = _BIG_UNITS[unit_char]
            if pending is not None:
                section += pending
            if unit >= last_big or (pending is None and section == 0):
                return None
            if last_big != math.inf and section * unit >= last_big:
                return None
            total += section * unit
            section = Decimal(0)
            last_big, last_small = unit, math.inf
        pending = None
    if pending is not None:
        section += pending
    if not has_digit or (last_big != math.inf and section >= last_big):
        return None
    return total + section


def _is_negative(match: re.Match[str]) -> bool | None:
    """Sign implied by a matched amount's marks: True, False, or None when the marks contradict each other."""
    signs = [s for s in (match["sign1"], match["sign2"]) if s]
    if len(signs) > 1 or bool(match["open"]) != bool(match["close"]):
        return None
    if match["open"]:
        return None if signs else True  # "(-1,200)" is ambiguous
    if match["trail"]:
        # "¥1,200-" is the Japanese "exact amount" mark; a bare trailing minus (SAP style) is ambiguous.
        yen = match["cur1"] in ("¥", "\\") or match["cur2"] == "円"
        return False if yen and not signs else None
    return bool(signs) and signs[0] in _NEGATIVE_MARKS


def _amount_from_text(text: str, decimal_comma: bool = False) -> Decimal | float | None:
    """Signed amount in a cleaned, non-blank string; None if it is not one."""
    text = _APPROX_SUFFIX.sub("", _APPROX_PREFIX.sub("", text, count=1), count=1)
    if decimal_comma:  # "1.234,56" becomes "1,234.56", so one grammar serves both conventions
        text = _NUMBER_RUN.sub(lambda m: m[0].translate(_SWAP_SEPARATORS), text)
    if _PLAIN_NUMBER.fullmatch(text):
        return float(text.replace(",", ""))
    match = _AMOUNT.fullmatch(_TAX_NOTE.sub("", text))
    if match is None:
        return None
    negative = _is_negative(match)
    if negative is None:
        return None
    body = match["body"]
    if match["eng"]:
        if not _UNSIGNED_NUMBER.fullmatch(body):
            return None
        magnitude: Decimal | None = _number_from_token(body) * _ENGLISH_SCALES[match["eng"].lower()]
    else:
        magnitude = _scaled_number(body)
    if magnitude is None:
        return None
    return -magnitude if negative else magnitude


def _count_from_text(text: str) -> Decimal | float | None:
    """Signed count in a cleaned, non-blank string ("12件", "△3", "1.2万"); None if it is not one."""
    if _PLAIN_NUMBER.fullmatch(text):
        return float(text.replace(",", ""))
    match = _COUNT.fullmatch(text)
    if match is None:
        return None
    magnitude = _scaled_number(match["body"])
    if magnitude is None:
        return None
    return -magnitude if match["sign"] in _NEGATIVE_MARKS else magnitude


def _parse_number(value: object, kind: str, from_text: Callable[[str], Decimal | float | None]) -> float | None:
    """Shared front end of parse_amount/parse_count: blanks, numbers, then text via from_text."""
    if _is_missing(value):
        return None
    if _is_number(value, kind):
        return _finite_float(value, kind)
    text = _parser_text(value, kind)
    if text is None:
        return None
    try:
        result = from_text(text)
    except ArithmeticError:  # decimal overflow on absurd exponents
        result = None
    if result is None:
        raise ValueParseError(f"not {kind}: {_describe(value)}")
    return _finite_float(result, kind, value)


def _amount_from_decimal_comma_text(text: str) -> Decimal | float | None:
    """_amount_from_text for European numbers ("1.234,56")."""
    return _amount_from_text(text, decimal_comma=True)


def parse_amount(value: object, *, decimal_comma: bool = False) -> float | None:
    """Money amount as float ("¥1,200", "120万円", "約1.2億円", "1.5k", "△1,200", "(1,200)"); blanks give None.

    With decimal_comma, text uses "." for thousands and "," for decimals ("1.234,56 €").
    """
    from_text = _amount_from_decimal_comma_text if decimal_comma else _amount_from_text
    return _parse_number(value, "an amount", from_text)


def parse_count(value: object) -> float | None:
    """Count as float ("1,234", "12件", "1.2万", "▲3"); blanks give None."""
    return _parse_number(value, "a count", _count_from_text)


# Words for "amount not known yet"; parse_amount rejects them, this lets callers count them apart from typos.
_PLACEHOLDER_WORDS = frozenset({
    "未定", "未確定", "要確認", "調整中", "検討中", "不明", "未入力", "空欄", "tbd", "tbc", "n/a", "unknown", "pending",
})  # fmt: skip
_QUESTION_RUN = re.compile(r"\?+")


def is_placeholder_amount(value: object) -> bool:
    """True for a text cell saying the amount is not known yet ("未定", "TBD", "要確認", "?", "-")."""
    if not isinstance(value, str):
        return False
    text = unicodedata.normalize("NFKC", value).translate(_PARSER_FOLD).strip()
    if not text:
        return False
    return text.casefold() in _PLACEHOLDER_WORDS or bool(_DASH_RUN.fullmatch(text) or _QUESTION_RUN.fullmatch(text))


# One number inside a cell, separators included, for telling "1.234,56" from "1,234.56".
_SEPARATED_NUMBER = re.compile(r"[0-9][0-9.,]*[0-9]")
# "1.234,56", "1.234.567", "99,90": only the decimal-comma convention reads these.
_DECIMAL_COMMA_PROOF = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+|[0-9]{1,3}(?:\.[0-9]{3}){2,}|[0-9]+,[0-9]{1,2}")
# "1,234.56", "1,234,567", "12.50", and "12,345" (three digits after one comma reads as a thousands group).
_DECIMAL_POINT_PROOF = re.compile(
    r"[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]+|[0-9]{1,3}(?:,[0-9]{3}){2,}|[0-9]+,[0-9]{3}|[0-9]+\.[0-9]{1,2}"
)


def detect_decimal_comma(values: Iterable[object]) -> bool:
    """True when some text values prove "." thousands / "," decimals ("1.234,56 €") and none prove the opposite.

    Ambiguous values ("1.234", plain numbers) prove nothing; "1,234" counts against, since money rarely has
    three decimals. Non-text values are ignored.
    """
    comma = point = False
    for value in values:
        text = _cell_text(value)
        if text is None:
            continue
        for token in _SEPARATED_NUMBER.findall(text):
            if _DECIMAL_COMMA_PROOF.fullmatch(token):
                comma = True
            elif _DECIMAL_POINT_PROOF.fullmatch(token):
                point = True
        if point:
            return False
    return comma


# Dates

MIN_YEAR, MAX_YEAR = 1900, 2100  # a date outside is a typo (1800, 2999): unreadable
_MIN_YEAR, _MAX_YEAR = MIN_YEAR, MAX_YEAR
_EXCEL_MIN_SERIAL, _EXCEL_MAX_SERIAL = 20000, 80000
# Excel's 1900 system counts a fake 1900-02-29, so for serials > 60 day 0 is 1899-12-30.
_EXCEL_ORIGIN = dt.date(1899, 12, 30)

_ERA_STARTS = {
    "令和": dt.date(2019, 5, 1),
    "平成": dt.date(1989, 1, 8),
    "昭和": dt.date(1926, 12, 25),
    "大正": dt.date(1912, 7, 30),
    "明治": dt.date(1868, 1, 1),
}
_ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和", "T": "大正", "M": "明治"}

_MONTHS: tuple[str, ...] = ("january", "february", "march", "april", "may", "june", "july", "august", "september")
_MONTHS += ("october", "november", "december")
# German, French and Spanish names and abbreviations; none of them names a different month in English.
_FOREIGN_MONTHS = {
    1: "januar janv janvier ene enero",
    2: "februar févr février fevr febrero",
    3: "mär märz mrz mars marzo",
    4: "avr avril abr abril",
    5: "mai mayo",
    6: "juni juin junio",
    7: "juli juil juillet julio",
    8: "août aout ago agosto",
    9: "septembre septiembre",
    10: "okt oktober octobre octubre",
    11: "novembre noviembre",
    12: "dez dezember déc dec décembre dic diciembre",
}
_MONTH_NAMES = {
    **{name: number for number, name in enumerate(_MONTHS, start=1)},
    **{name[:3]: number for number, name in enumerate(_MONTHS, start=1)},
    "sept": 9,
    **{name: number for number, names in _FOREIGN_MONTHS.items() for name in names.split()},
}
DATE_ORDERS = ("mdy", "dmy")

_FLAGS = re.ASCII | re.IGNORECASE
_WEEKDAY_PAREN = re.compile(
    r"\(\s*(?:[月火水木金土日祝休・]+(?:曜日?)?|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?)\s*\)", _FLAGS
)
_WEEKDAY_LEAD = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", _FLAGS)
_TIME_SUFFIX = re.compile(
    r"(?:(?:T|\s+)(?:午前|午後)?\s*[0-9]{1,2}:[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]+)?)?\s*(?:[ap]\.?m\.?)?"
    r"|\s*(?:午前|午後)?\s*[0-9]{1,2}時(?:[0-9]{1,2}分(?:[0-9]{1,2}秒)?)?)"
    r"\s*(?:Z|UTC|GMT|JST|[+-][0-9]{2}(?::?[0-9]{2})?)?$",
    _FLAGS,
)

_YMD = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})", _FLAGS)
_YMD_KANJI = re.compile(r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日", _FLAGS)
_ERA_DATE = re.compile(
    r"(令和|平成|昭和|大正|明治|[RHSTM])\s*([0-9]{1,2}|元)\s*"
    r"(?:年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日|([-/.])([0-9]{1,2})\5([0-9]{1,2}))",
    _FLAGS,
)
# a/b/yyyy: month-first (US) or day-first (Europe) depending on the column; "." is the German writing.
_AB_YEAR = re.compile(r"([0-9]{1,2})([-/.])([0-9]{1,2})\2([0-9]{4})", _FLAGS)
_COMPACT_YMD = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})", _FLAGS)
_SERIAL_TEXT = re.compile(r"[0-9]{5}(?:\.[0-9]+)?", _FLAGS)
_ISO_WEEK = re.compile(r"([0-9]{4})-?W([0-9]{2})(?:-?([1-7]))?", _FLAGS)
_ORDINAL = r"(?:st|nd|rd|th)?"
_DAY_MONTHNAME_YEAR = re.compile(rf"([0-9]{{1,2}}){_ORDINAL}[-\s./]*([a-z]{{3,9}})\.?[-\s./,]*([0-9]{{4}})", _FLAGS)
_MONTHNAME_DAY_YEAR = re.compile(rf"([a-z]{{3,9}})\.?[-\s./]*([0-9]{{1,2}}){_ORDINAL}[-\s./,]+([0-9]{{4}})", _FLAGS)
_YEAR_MONTHNAME_DAY = re.compile(r"([0-9]{4})[-\s./]*([a-z]{3,9})\.?[-\s./]*([0-9]{1,2})", _FLAGS)
# Month-only forms, read as the first of the month. Month names may be non-ASCII ("Mär", "févr").
_YEAR_MONTH = re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})", _FLAGS)
_YEAR_MONTH_KANJI = re.compile(r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月", _FLAGS)
_MONTH_YEAR = re.compile(r"([0-9]{1,2})[-/]([0-9]{4})", _FLAGS)  # no ".": "3.2000" is more likely a number
_MONTHNAME_YEAR = re.compile(r"([^\W\d_]{3,9})\.?[-\s./,]*([0-9]{4})", re.IGNORECASE)
_YEAR_MONTHNAME = re.compile(r"([0-9]{4})[-\s./]*([^\W\d_]{3,9})\.?", re.IGNORECASE)


def _check_year(year: int, original: object) -> None:
    """ValueParseError when year is outside 1900-2100."""
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ValueParseError(f"year {year} outside {_MIN_YEAR}-{_MAX_YEAR}: {_describe(original)}")


def _checked_date(year: int, month: int, day: int, original: object) -> dt.date:
    """date(year, month, day) or ValueParseError for impossible dates and years outside 1900-2100."""
    _check_year(year, original)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueParseError(f"impossible date: {_describe(original)}") from None


def _in_range(day: dt.date, original: object) -> dt.date:
    """day itself, or ValueParseError when its year is outside 1900-2100."""
    return _checked_date(day.year, day.month, day.day, original)


def _month_from_name(name: str, original: object) -> int:
    """Month number of an English month name or abbreviation."""
    month = _MONTH_NAMES.get(name.lower())
    if month is None:
        raise ValueParseError(f"not a date (unknown month {name!r}): {_describe(original)}")
    return month


def _era_date(era: str, era_year: str, month: str, day: str, original: object) -> dt.date:
    """Gregorian date of a Japanese era date; 元 means year 1, and a date before the era began is rejected.

    Dates past an era's end (e.g. H31.5.1, printed by systems not yet updated for Reiwa) are accepted.
    """
    name = _ERA_LETTERS.get(era.upper(), era)
    start = _ERA_STARTS[name]
    year_in_era = 1 if era_year == "元" else int(era_year)
    if year_in_era == 0:
        raise ValueParseError(f"era year 0: {_describe(original)}")
    result = _checked_date(start.year + year_in_era - 1, int(month), int(day), original)
    if result < start:
        raise ValueParseError(f"date before the {name} era began: {_describe(original)}")
    return result


def _date_from_serial(serial: float, original: object) -> dt.date:
    """Date part of an Excel (1900 system) serial number in the accepted 20000-80000 range."""
    if not _EXCEL_MIN_SERIAL <= serial <= _EXCEL_MAX_SERIAL:
        raise ValueParseError(
            f"not a date (number outside Excel serial range {_EXCEL_MIN_SERIAL}-{_EXCEL_MAX_SERIAL}): "
            f"{_describe(original)}"
        )
    return _in_range(_EXCEL_ORIGIN + dt.timedelta(days=int(serial)), original)


def _date_from_number(value: SupportsFloat) -> dt.date | None:
    """Excel serial day, or a yyyymmdd integer such as 20250401."""
    number = float(value)
    if math.isnan(number):
        return None
    if 19000101 <= number <= 21001231 and number.is_integer():
        whole = int(number)
        return _checked_date(whole // 10000, whole // 100 % 100, whole % 100, value)
    return _date_from_serial(number, value)


def _date_from_datetime64(value: object) -> dt.date | None:
    """Calendar date of a numpy datetime64; None for NaT."""
    day = cast("np.datetime64", value).astype("datetime64[D]").item()  # the caller checked the type's name
    if day is None:
        return None
    if not isinstance(day, dt.date):  # numpy returns an int for dates Python cannot represent
        raise ValueParseError(f"year outside {_MIN_YEAR}-{_MAX_YEAR}: {_describe(value)}")
    return _in_range(day, value)


def _strip_date_marks(text: str) -> str:
    """text without weekday marks and a trailing time/zone."""
    text = _WEEKDAY_LEAD.sub("", _WEEKDAY_PAREN.sub(" ", text))
    return _TIME_SUFFIX.sub("", text, count=1).strip()


def _month_only_date(text: str, original: object) -> dt.date | None:
    """First day of the month of a month-only text ("2024-10", "Oct 2024"); None when text is not one."""
    if (m := _YEAR_MONTH.fullmatch(text)) or (m := _YEAR_MONTH_KANJI.fullmatch(text)):
        return _checked_date(int(m[1]), int(m[2]), 1, original)
    if m := _MONTH_YEAR.fullmatch(text):
        return _checked_date(int(m[2]), int(m[1]), 1, original)
    if m := _MONTHNAME_YEAR.fullmatch(text):
        return _checked_date(int(m[2]), _month_from_name(m[1], original), 1, original)
    if m := _YEAR_MONTHNAME.fullmatch(text):
        return _checked_date(int(m[1]), _month_from_name(m[2], original), 1, original)
    return None


def _date_from_text(text: str, original: object, order: str = "mdy") -> dt.date:
    """Date in a cleaned, non-blank string; weekday marks and a trailing time/zone are dropped."""
    text = _strip_date_marks(text)
    if m := _YMD.fullmatch(text):
        return _checked_date(int(m[1]), int(m[3]), int(m[4]), original)
    if m := _YMD_KANJI.fullmatch(text):
        return _checked_date(int(m[1]), int(m[2]), int(m[3]), original)
    if m := _ERA_DATE.fullmatch(text):
        month, day = (m[3], m[4]) if m[3] else (m[6], m[7])
        return _era_date(m[1], m[2], month, day, original)
    if m := _AB_YEAR.fullmatch(text):  # the year is last, so the first number cannot be a year
        month, day = (m[1], m[3]) if order == "mdy" else (m[3], m[1])
        return _checked_date(int(m[4]), int(month), int(day), original)
    if _SERIAL_TEXT.fullmatch(text):
        return _date_from_serial(float(text), original)
    if m := _COMPACT_YMD.fullmatch(text):
        return _checked_date(int(m[1]), int(m[2]), int(m[3]), original)
    if m := _DAY_MONTHNAME_YEAR.fullmatch(text):
        return _checked_date(int(m[3]), _month_from_name(m[2], original), int(m[1]), original)
    if m := _MONTHNAME_DAY_YEAR.fullmatch(text):
        return _checked_date(int(m[3]), _month_from_name(m[1], original), int(m[2]), original)
    if m := _YEAR_MONTHNAME_DAY.fullmatch(text):
        return _checked_date(int(m[1]), _month_from_name(m[2], original), int(m[3]), original)
    if m := _ISO_WEEK.fullmatch(text):
        year = int(m[1])
        _check_year(year, original)
        try:
            return _in_range(dt.date.fromisocalendar(year, int(m[2]), int(m[3] or 1)), original)
        except ValueError:
            raise ValueParseError(f"impossible ISO week: {_describe(original)}") from None
    if month_start := _month_only_date(text, original):
        return month_start
    raise ValueParseError(f"not a date: {_describe(original)}")


def parse_date(value: object, order: str = "mdy") -> dt.date | None:
    """Calendar date of a cell as written; time and time zone are dropped, blanks give None.

    Reads ISO, 2025/4/1, 2025年4月1日(火), 令和7年4月1日, R7.4.1, 4/1/2025, Apr 1 2025, 01-Apr-2025,
    ISO weeks, Excel serials, month-only cells (2024-10, Oct 2024 → the 1st) and date/datetime/Timestamp/datetime64
    objects. order ("mdy" or "dmy", see detect_date_order) reads a/b/yyyy with "/", "-" or "."; a value impossible
    in that order is an error, never silently swapped.
    """
    if order not in DATE_ORDERS:
        raise ValueError(f"order must be 'mdy' or 'dmy', not {order!r}")
    if _is_missing(value):
        return None
    if isinstance(value, dt.datetime):  # before dt.date: datetime (and pandas Timestamp) is a date subclass
        return _in_range(value.date(), value)
    if isinstance(value, dt.date):
        return _in_range(value, value)
    if type(value).__name__ == "datetime64":
        return _date_from_datetime64(value)
    if _is_number(value, "a date"):
        return _date_from_number(value)
    text = _parser_text(value, "a date")
    if text is None:
        return None
    return _date_from_text(text, value, order)


def is_month_only(value: object) -> bool:
    """True for a text cell that names a month but no day ("2024-10", "2024年10月", "Oct 2024", "10/2024")."""
    text = _cell_text(value)
    if text is None:
        return False
    try:
        return _month_only_date(_strip_date_marks(text), value) is not None
    except ValueParseError:  # "2024-13", "Foo 2024"
        return False


@dataclass(frozen=True)
class DateOrderEvidence:
    """What the a/b/yyyy values of a column say about day-first versus month-first."""

    order: str | None  # "dmy", "mdy", or None when nothing is proven or proofs tie
    day_first: int  # distinct values whose first field is a day > 12
    month_first: int  # distinct values whose second field is a day > 12
    ambiguous: int  # distinct values with both fields <= 12
    examples: tuple[str, ...]  # up to 3 values (as written) proving the winning order
    convention: str | None  # "dmy" when every a/b/yyyy value uses "." (German writing), else None

    @property
    def mixed(self) -> bool:
        """True when the column proves both orders, i.e. some values are wrong either way."""
        return self.day_first > 0 and self.month_first > 0


def detect_date_order(values: Iterable[object]) -> DateOrderEvidence:
    """Day-first or month-first for a column's a/b/yyyy text values; other values are ignored."""
    seen: set[str] = set()
    proofs: dict[str, list[str]] = {"dmy": [], "mdy": []}
    ambiguous = dotted = total = 0
    for value in values:
        if not isinstance(value, str) or (text := _parser_text(value, "a date")) is None or text in seen:
            continue
        seen.add(text)
        match = _AB_YEAR.fullmatch(_strip_date_marks(text))
        if match is None:
            continue
        total += 1
        dotted += match[2] == "."
        first, second = int(match[1]), int(match[3])
        if 13 <= first <= 31 and 1 <= second <= 12:
            proofs["dmy"].append(value)
        elif 1 <= first <= 12 and 13 <= second <= 31:
            proofs["mdy"].append(value)
        elif 1 <= first <= 12 and 1 <= second <= 12:
            ambiguous += 1
    day_first, month_first = len(proofs["dmy"]), len(proofs["mdy"])
    order = None if day_first == month_first else ("dmy" if day_first > month_first else "mdy")
    return DateOrderEvidence(
        order=order,
        day_first=day_first,
        month_first=month_first,
        ambiguous=ambiguous,
        examples=tuple(proofs[order][:3]) if order else (),
        convention="dmy" if total and dotted == total else None,
    )


# Text


def normalise_text(value: object) -> str | None:
    """NFKC-normalised text with whitespace runs collapsed to one space; blanks give None."""
    if _is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))  # Excel stores codes such as 1234 as 1234.0
    else:
        text = value if isinstance(value, str) else str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = _WHITESPACE_RUN.sub(" ", text).strip()
    return None if _is_blank_text(text) else text


# Currency and scale

_CURRENCY_CODES = {
    "usd": "USD", "us$": "USD", "$": "USD", "ドル": "USD", "dollar": "USD", "dollars": "USD",
    "eur": "EUR", "€": "EUR", "euro": "EUR", "euros": "EUR",
    "gbp": "GBP", "£": "GBP",
    "jpy": "JPY", "¥": "JPY", "円": "JPY", "yen": "JPY", "\\": "JPY",
    "cny": "CNY", "rmb": "CNY", "cn¥": "CNY", "元": "CNY",
}  # fmt: skip
# Currency marks in a cell. 元 only after a number (it is also "former"/"origin"); "\" only before one.
_CELL_CURRENCY = re.compile(
    r"(?<![a-z])(?:us\$|cn¥|usd|eur|gbp|jpy|cny|rmb)(?![a-z])|[$€£¥円]|ドル|(?<=[0-9万千億])\s*元|\\(?=\s*[0-9])",
    re.IGNORECASE,
)
# Currency marks in a header ("Amount (USD)", "amount_usd", "金額（円）", "Betrag in €"); 元 only as a unit.
_HEADER_CURRENCY = re.compile(
    r"(?<![a-z])(?:usd|eur|gbp|jpy|cny|rmb|yen|euros?|dollars?)(?![a-z])|us\$|[$€£¥円]|ドル|\(\s*(?:千|万|百万)?元\s*\)"
)
_HEADER_UNIT_CHARS = re.compile(r"[()\s千万百]")


@dataclass(frozen=True)
class CurrencyEvidence:
    """The currency of an amount column, from its cells or else its header."""

    code: str | None  # ISO code ("JPY", "USD", "EUR", "GBP", "CNY"), None when unknown or tied
    by: str | None  # "cells" or "header", None when code is None
    counts: dict[str, int]  # cells carrying each currency
    mixed: bool  # cells carry two or more currencies
    examples: tuple[str, ...]  # up to 3 distinct cells (as written) of the winning currency, or the header


def _cell_currencies(text: str) -> set[str]:
    """ISO codes of the currency marks in one cleaned cell."""
    return {_CURRENCY_CODES[m[0].strip().lower()] for m in _CELL_CURRENCY.finditer(text)}


def detect_currency(header: str, values: Iterable[object]) -> CurrencyEvidence:
    """Currency of a column: the most common cell currency ("$1,200", "120万円"), else the header's ("Amount (USD)").

    Plain numbers give no evidence. A tie between cell currencies gives code None (mixed is then True).
    """
    counts: Counter[str] = Counter()
    cells: dict[str, list[str]] = {}
    for value in values:
        if not isinstance(value, str) or (text := _parser_text(value, "an amount")) is None:
            continue
        for code in _cell_currencies(text):
            counts[code] += 1
            found = cells.setdefault(code, [])
            if len(found) < 3 and value not in found:
                found.append(value)
    ranked = counts.most_common(2)
    if ranked:
        if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
            return CurrencyEvidence(None, None, dict(counts), True, ())
        code = ranked[0][0]
        return CurrencyEvidence(code, "cells", dict(counts), len(counts) > 1, tuple(cells[code]))
    key = unicodedata.normalize("NFKC", header).casefold()
    if match := _HEADER_CURRENCY.search(key):
        code = _CURRENCY_CODES[_HEADER_UNIT_CHARS.sub("", match[0])]
        return CurrencyEvidence(code, "header", {}, False, (header,))
    return CurrencyEvidence(None, None, {}, False, ())


# Unit words in a header, biggest first so "百万円" is not read as "万円".
_HEADER_SCALES = (
    (re.compile(r"千万(?:円|ドル|元)"), 10_000_000.0),
    (re.compile(r"百万(?:円|ドル|元)|\bin\s+millions\b|\(\s*(?:[$€£¥]|[a-z]{3}\s)?\s*(?:m|mn|mm|millions?)\s*\)"), 1e6),
    (re.compile(r"\bin\s+billions\b|\(\s*(?:[$€£¥]|[a-z]{3}\s)?\s*(?:bn|billions?)\s*\)"), 1e9),
    (re.compile(r"億(?:円|ドル|元)"), 1e8),
    (re.compile(r"万(?:円|ドル|元)"), 10_000.0),
    (
        re.compile(r"千(?:円|ドル|元)|\bin\s+thousands\b|\(\s*(?:[$€£¥]|[a-z]{3}\s)?\s*(?:k|'?000s?|thousands?)\s*\)"),
        1e3,
    ),
)


def amount_scale_from_header(header: str) -> float:
    """Multiplier a header's unit implies: 1000 for "金額(千円)" / "(k)" / "($K)" / "(000s)", 1e4 for 万円, 1e6 for
    百万円 / "(in millions)" / "($M)" / "(mn)", else 1."""
    key = unicodedata.normalize("NFKC", header).casefold()
    for pattern, scale in _HEADER_SCALES:
        if pattern.search(key):
            return scale
    return 1.0
