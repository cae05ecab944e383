"""Checking a raw registry table cell by cell (数据校验), into clean records and row errors.

:func:`validate` turns every row of a :class:`~huiqi.registry.reader.RawTable` into a record
(a dict keyed by English column name) or into one :class:`RowError` per bad cell, each with
the spreadsheet row, the header as the file wrote it, the value and a reason in Chinese.
A row with any error yields no record. Whether the enterprise of a recognition, event or
metric exists is not checked here: the store does that on import.

Cleaned forms: dates are :class:`datetime.date`; ``amount_wan`` and ``value`` are floats
(``value`` of 从业人员 an int), ``quantity`` an int; ``review`` a bool; ``scale`` 规上/规下
with ``size`` 大/中/小/微 beside it; ``kind`` and ``level`` canonical (资格词表); ``period``
``YYYY`` or ``YYYY-MM``; every record also holds ``row`` and ``extras``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from huiqi.registry.codes import (
    clean_industry_code,
    clean_region_code,
    clean_uscc,
    full_region_name,
    is_registration_level,
)
from huiqi.registry.numbers import MONEY_UNITS, bounded_metric, parse_count, parse_money_wan, split_number
from huiqi.registry.reader import RawRow, RawTable
from huiqi.registry.schema import INDICATOR_SYNONYMS, INDICATOR_UNITS, UNIT_SYNONYMS, TableName
from huiqi.rules.vocabulary import LEVEL_WORDS, LEVELS, Resolved, Table, Vocabulary, load_vocabulary, squash


@dataclass(frozen=True)
class RowError:
    """One bad cell: spreadsheet ``row``, ``column`` header as written, ``value``, ``reason``.

    ``field`` is the English column name (empty for a problem of the whole row).
    """

    row: int
    column: str
    value: str
    reason: str
    field: str = ""


@dataclass
class ValidationResult:
    """Clean records (rows without error) and every error found, in row order."""

    kind: TableName
    records: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> list[int]:
        """Row numbers that had at least one error."""
        return sorted({e.row for e in self.errors})


def validate(
    raw: RawTable,
    vocab: Vocabulary | None = None,
    mappings: Mapping[tuple[str, str], Resolved] | None = None,
    seen: dict[tuple, int] | None = None,
) -> ValidationResult:
    """Check every row of ``raw``; see the module docstring for the clean forms.

    ``mappings`` are officers' additions to the vocabulary ((table, name as written) →
    :class:`Resolved`), consulted before it. A row whose kind neither knows is kept, with
    ``pending_kind`` set to the name, for an officer to map. ``seen`` (key → first row) carries
    the keys of earlier parts of the same file, for a file checked a part at a time.
    """
    vocab = _Memo(vocab or load_vocabulary(), mappings or {})
    result = ValidationResult(raw.kind)
    seen = {} if seen is None else seen
    for raw_row in raw.rows:
        check = _RowCheck(raw, raw_row)
        check.parse_cells()
        _TABLE_CHECKS[raw.kind](check, vocab)
        check.duplicate(seen)
        result.errors.extend(check.errors)
        if not check.errors:
            result.records.append(check.record)
    return result


class _Memo:
    """The vocabulary (and officers' mappings) with its answers remembered: a file repeats the
    same few kind names."""

    def __init__(self, vocab: Vocabulary, mappings: Mapping[tuple[str, str], Resolved]) -> None:
        self.vocab = vocab
        self.info = vocab.info
        self.event_level = cache(vocab.event_level)
        self.mappings = mappings

        @cache
        def resolve(name: str, table: Table) -> Resolved | None:
            return mappings.get((table, squash(name))) or vocab.resolve(name, table)

        self.resolve = resolve


# --- the row being checked ------------------------------------------------------------------


class _RowCheck:
    """The record of one row as it is built, and the errors found on the way."""

    def __init__(self, raw: RawTable, row: RawRow) -> None:
        self.raw = raw
        self.row = row
        self.record: dict[str, Any] = {"row": row.row}
        self.errors: list[RowError] = []
        self.failed: set[str] = set()

    def fail(self, column: str, reason: str, value: Any = None) -> None:
        """Record an error against ``column`` (its raw cell is shown unless ``value`` is given)."""
        shown = self.row.values.get(column) if value is None else value
        self.errors.append(RowError(self.row.row, self.raw.header(column), show(shown), reason, column))
        self.failed.add(column)

    def parse_cells(self) -> None:
        for column in self.raw.spec.columns:
            value = self.row.values.get(column.name)
            if _empty(value):
                self.record[column.name] = None
                if column.required:
                    self.fail(column.name, "必填项为空", "")
                continue
            try:
                self.record[column.name] = _PARSERS[column.type](value)
            except ValueError as exc:
                self.record[column.name] = None
                self.fail(column.name, str(exc))
                continue
            if column.name in PAST_DATES and self.record[column.name] > dt.date.today():
                self.fail(column.name, f"{column.zh}晚于今天({dt.date.today().isoformat()}),请检查")
        self.record["extras"] = {k: _json_safe(v) for k, v in self.row.extras.items()}

    def duplicate(self, seen: dict[tuple, int]) -> None:
        """Report the row when its 记录编号, or else its natural key, repeats an earlier row's."""
        key_columns = self.raw.spec.key
        if self.record.get("record_id"):
            key_columns = ("uscc", "record_id")
        if self.failed & set(key_columns):
            return
        key = tuple(self.record.get(c) for c in key_columns)
        if key in seen:
            headers = "+".join(self.raw.header(c) for c in key_columns if c in self.raw.headers)
            value = " ".join(show(v) for v in key if v is not None)
            reason = f"与第{seen[key]}行重复({headers}相同)"
            self.errors.append(RowError(self.row.row, self.raw.header(key_columns[0]), value, reason, ""))
        else:
            seen[key] = self.row.row


# --- table-specific checks ------------------------------------------------------------------


def _check_enterprise(check: _RowCheck, vocab: _Memo) -> None:
    scale = check.record.pop("scale", None)
    check.record["scale"], check.record["size"] = scale if scale else (None, None)
    code = check.record.get("region_code")
    if code and not is_registration_level(code):
        check.fail("region_code", f"应为区县级代码({code}是{full_region_name(code)})")


def _check_recognition(check: _RowCheck, vocab: _Memo) -> None:
    record = check.record
    _check_dates(check)
    if record["review"] is None:
        record["review"] = False
    name = record.get("kind")
    if not name:
        return
    resolved = vocab.resolve(name, "recognition")
    if resolved is None:
        _pending(check)
        return
    record["kind"] = resolved.kind
    stated = record.get("level")
    if stated:
        try:
            stated = parse_recognition_level(stated)
        except ValueError as exc:
            check.fail("level", str(exc))
            return
    if stated and resolved.level and stated != resolved.level:
        check.fail("level", f"与认定类型不符:{name}为{resolved.level}")
        return
    level = stated or resolved.level
    levels = vocab.info("recognition", resolved.kind).levels
    where = "level" if stated else "kind"
    if not levels:
        if level:
            check.fail(where, f"{resolved.kind}不分级别,级别应留空")
        return
    if level is None and len(levels) == 1:
        level = levels[0]
    if level is None:
        check.fail("level", f"{resolved.kind}须注明级别({'/'.join(levels)})", "")
    elif level not in levels:
        check.fail(where, f"{resolved.kind}没有{level}(可选:{'/'.join(levels)})")
    record["level"] = level


def _pending(check: _RowCheck) -> None:
    """A kind the vocabulary does not know: the row is kept aside for an officer to map."""
    check.record["pending_kind"] = check.record["kind"]
    level = check.record.get("level")
    if level and check.raw.kind == "recognitions":
        try:
            check.record["level"] = parse_recognition_level(level)
        except ValueError as exc:
            check.fail("level", str(exc))


def _check_dates(check: _RowCheck) -> None:
    granted, expires = check.record.get("granted_on"), check.record.get("expires_on")
    if granted and expires and expires < granted:
        check.fail("expires_on", "有效期至早于认定日期")


def _check_event(check: _RowCheck, vocab: _Memo) -> None:
    record = check.record
    name = record.get("kind")
    if not name:
        return
    resolved = vocab.resolve(name, "event")
    if resolved is None:
        _pending(check)
        return
    record["kind"] = resolved.kind
    info = vocab.info("event", resolved.kind)
    stated = record.get("level")
    if not info.levels:
        return
    if stated:
        level = stated if stated in info.levels else vocab.event_level(resolved.kind, stated)
        if level is None:
            check.fail("level", f"{resolved.kind}的级别应为{'/'.join(info.levels)}之一")
        record["level"] = level
    else:
        record["level"] = vocab.event_level(resolved.kind, f"{name} {record.get('detail') or ''}")


def _check_metric(check: _RowCheck, vocab: _Memo) -> None:
    record = check.record
    indicator = record.get("indicator")
    value = record.get("value")
    if indicator is None:
        return
    record["indicator"], named_unit = indicator
    value_unit = None
    if value is not None:
        record["value"], value_unit = value
    expected = INDICATOR_UNITS[record["indicator"]]
    if expected == "万元" and record.get("value") is not None:
        # money is read into 万元 the same way everywhere: 1.2亿, 5000元, unit column 元 or 亿元
        for stated in (value_unit, named_unit, record.get("unit")):
            if stated and stated != "万元" and stated in MONEY_UNITS:
                try:
                    record["value"] = bounded_metric(record["value"] * MONEY_UNITS[stated])
                except ValueError as exc:  # a figure within bounds until its unit multiplied it
                    check.fail("value", str(exc))
                break
        value_unit, named_unit = (None if u in MONEY_UNITS else u for u in (value_unit, named_unit))
        if record.get("unit") in MONEY_UNITS:
            record["unit"] = None
    for column, stated in (("unit", record.get("unit")), ("indicator", named_unit), ("value", value_unit)):
        if stated and stated != expected and column not in check.failed:
            check.fail(column, f"{record['indicator']}的单位应为{expected}(不是{stated}),请换算后填写")
    record["unit"] = expected
    if record.get("value") is None or "value" in check.failed:
        return
    number = record["value"]
    if expected == "人":
        if not float(number).is_integer():
            check.fail("value", "人数应为整数")
        record["value"] = int(number)
    elif number < 0 and record["indicator"] not in ("利润总额", "工业增加值"):
        check.fail("value", "不能为负数")


# a credit code inside a buyer cell: 2 registration characters, 6 region digits, 10 more
_CODE_IN_TEXT = re.compile(
    r"(?<![0-9A-Z])[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}(?![0-9A-Z])", re.I
)


def split_buyer(text: str) -> tuple[str, str | None]:
    """A 需求方 cell as (name, credit code or None); the code may stand alone or after the name.

    >>> split_buyer("济南某某集团有限公司(91370100MA3C7X0Q12)")[0]
    '济南某某集团有限公司'
    >>> split_buyer("济南市城市建设管理局")
    ('济南市城市建设管理局', None)
    """
    flat = unicodedata.normalize("NFKC", text).replace(" ", "")
    found = _CODE_IN_TEXT.search(flat)
    if found is None:
        return text, None
    code = clean_uscc(found.group())
    name = re.sub(r"[(\[【]\s*[)\]】]", "", flat[: found.start()] + flat[found.end() :]).strip(":-,")
    return name or code, code


def _check_product(check: _RowCheck, vocab: _Memo) -> None:
    """产品: the name must hold a word, not only punctuation or a number."""
    name = check.record.get("name")
    if name and not re.search(r"[^\W\d_]", name):
        check.fail("name", "产品名称应包含文字")
    if check.record.get("certifications") is None:
        check.record["certifications"] = []


def _check_demand(check: _RowCheck, vocab: _Memo) -> None:
    """需求: a buyer given with a credit code keeps it apart (``buyer_uscc``); a region code of any
    level (区县、市、省) is accepted."""
    record = check.record
    record["buyer_uscc"] = None
    if not record.get("buyer"):
        return
    try:
        record["buyer"], record["buyer_uscc"] = split_buyer(record["buyer"])
    except ValueError as exc:
        check.fail("buyer", f"需求方中的统一社会信用代码有误:{exc}")


_TABLE_CHECKS: dict[str, Callable[[_RowCheck, _Memo], None]] = {
    "enterprises": _check_enterprise,
    "recognitions": _check_recognition,
    "events": _check_event,
    "metrics": _check_metric,
    "products": _check_product,
    "demands": _check_demand,
}


# --- cell parsers: value → clean value, or ValueError with a Chinese reason ------------------


def show(value: Any) -> str:
    """A cell as shown in an error report.

    >>> show(3.0), show(dt.datetime(2024, 3, 1)), show(None)
    ('3', '2024-03-01', '')
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _json_safe(value: Any) -> Any:
    """An extra cell as JSON can hold it: text, number or bool (dates become ISO text)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return show(value)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _nfkc(value: Any) -> str:
    return unicodedata.normalize("NFKC", show(value)).strip()


def parse_text(value: Any) -> str:
    """Free text with its spaces collapsed."""
    return re.sub(r"\s+", " ", show(value)).strip()


_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_ONLY = re.compile(r"^\d{4}(?:[-/.]\d{1,2}|年\d{1,2}月?)$")


def parse_date(value: Any) -> dt.date:
    """A date from a cell: ISO, ``2024/3/1``, ``2024年3月1日``, ``20240301`` or an Excel date cell.

    A five-digit number typed as text (``45352`` in a CSV) is Excel's day count that lost its
    date format on the way; it is refused with the date it would mean, never taken silently.

    >>> parse_date("2024/3/1"), parse_date("2024年3月1日"), parse_date(45352)
    (datetime.date(2024, 3, 1), datetime.date(2024, 3, 1), datetime.date(2024, 3, 1))
    """
    if isinstance(value, dt.datetime):
        return _plausible(value.date())
    if isinstance(value, dt.date):
        return _plausible(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not float(value).is_integer() or not 0 < value < 100000:
            raise ValueError("不是日期")
        return _plausible(_EXCEL_EPOCH + dt.timedelta(days=int(value)))  # an Excel date cell
    text = _nfkc(value)
    if re.fullmatch(r"\d{5}(?:\.0+)?", text):
        meant = _EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
        raise ValueError(f"像是Excel的日期序号(即{meant.isoformat()}),请写成日期,如{meant.isoformat()}")
    for pattern in _DATE_PATTERNS:
        if match := pattern.match(text):
            year, month, day = (int(g) for g in match.groups())
            try:
                date = dt.date(year, month, day)
            except ValueError:
                raise ValueError("日期不存在") from None
            return _plausible(date)
    if _MONTH_ONLY.match(text):
        raise ValueError("日期应写到日,如2024-03-01")
    raise ValueError("无法识别的日期,应写成2024-03-01")


def _plausible(date: dt.date) -> dt.date:
    if date.year < 1900:
        raise ValueError(f"日期早于1900年({date.year}年),请检查")
    if date.year > 2100:
        raise ValueError(f"日期晚于2100年({date.year}年),请检查")
    return date


# Dates of things that already happened: none may lie after the day of the import.
PAST_DATES = frozenset({"established_on", "granted_on", "occurred_on"})


_TRUE = {"是", "yes", "y", "1", "true", "t", "复核", "动态复核", "复核通过", "通过复核", "√", "✓", "✔"}
_FALSE = {"否", "no", "n", "0", "false", "f", "新认定", "首次认定", "首次", "新", "×", "✗"}


def parse_bool(value: Any) -> bool:
    """Yes/no: 是/否, yes/no, Y/N, 1/0, true/false, 复核/新认定.

    >>> parse_bool("是"), parse_bool("Y"), parse_bool("复核"), parse_bool("否")
    (True, True, True, False)
    """
    if isinstance(value, bool):
        return value
    text = _nfkc(value).lower().replace(" ", "")
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("应填是或否")


_ABOVE = ("规模以上", "限额以上", "规上", "限上")
_BELOW = ("规模以下", "限额以下", "规下", "限下")
_SIZES = {"大": "大", "中": "中", "小": "小", "微": "微"}


def parse_scale(value: Any) -> tuple[str | None, str | None]:
    """(规上/规下, 大/中/小/微) from a 规模 cell; either may be None, not both.

    >>> parse_scale("规模以上 中型企业"), parse_scale("规下"), parse_scale("小型")
    (('规上', '中'), ('规下', None), (None, '小'))
    """
    text = squash(_nfkc(value))
    scale = None
    if text in ("是", "否"):
        return ("规上" if text == "是" else "规下"), None
    for words, label in ((_ABOVE, "规上"), (_BELOW, "规下")):
        for word in words:
            if word in text:
                scale, text = label, text.replace(word, "")
                break
        if scale:
            break
    rest = re.sub(r"[/,、;|()]|企业|工业", "", text)
    size = None
    if match := re.fullmatch(r"(大|中|小|微)型?", rest):
        size = _SIZES[match.group(1)]
    elif rest:
        raise ValueError("规模应为规上或规下,可附大型/中型/小型/微型")
    if scale is None and size is None:
        raise ValueError("规模应为规上或规下")
    return scale, size


def parse_amount(value: Any) -> float:
    """An amount in 万元, not negative: ``350``, ``350万元``, ``1.2亿``, ``￥5000`` (see :mod:`.numbers`).

    >>> parse_amount("1,200.5万元"), parse_amount(80)
    (1200.5, 80.0)
    """
    return parse_money_wan(value)


def parse_metric_value(value: Any) -> tuple[float, str | None]:
    """A metric's number and the unit written after it (checked against the indicator later)."""
    number, unit = split_number(value)
    number = bounded_metric(number)
    if not unit:
        return number, None
    canonical = _canonical_unit(unit)
    if canonical is None and not re.fullmatch(r"[\u4e00-\u9fffA-Za-z·]{1,6}", unit):
        raise ValueError("应为数字")
    return number, canonical or unit


def _canonical_unit(text: str) -> str | None:
    return UNIT_SYNONYMS.get(text.lower().replace(" ", ""))


def parse_unit(value: Any) -> str:
    """A unit, in its canonical spelling when known (万kWh → 万千瓦时)."""
    text = _nfkc(value)
    return _canonical_unit(text) or text


_UNIT_IN_NAME = re.compile(r"^(.+?)\((.+)\)$")


def parse_indicator(value: Any) -> tuple[str, str | None]:
    """The canonical indicator and a unit written in brackets after it.

    >>> parse_indicator("营收(万元)"), parse_indicator("税收总额")
    (('营业收入', '万元'), ('税收', None))
    """
    text = _nfkc(value).replace(" ", "")
    unit = None
    if match := _UNIT_IN_NAME.match(text):
        text, unit = match.group(1), match.group(2)
        unit = _canonical_unit(unit) or unit
    key = text.lower()
    name = key if key in INDICATOR_UNITS else INDICATOR_SYNONYMS.get(key)
    if name is None:
        raise ValueError(f"未知指标(可选:{'、'.join(INDICATOR_UNITS)})")
    return name, unit


# A whole level cell: the vocabulary's level words plus what people type alone in a cell.
_LEVEL_WORDS = {
    **LEVEL_WORDS,
    "国家级别": "国家级",
    "省": "省级",
    "省级别": "省级",
    "市": "市级",
    "地市级": "市级",
    "县区级": "区县级",
    "区县": "区县级",
}


def parse_level(value: Any) -> str:
    """A level cell, squashed (recognition levels are mapped to 国家级/省级/市级/区县级)."""
    return squash(_nfkc(value))


def parse_recognition_level(text: str) -> str:
    """国家级 / 省级 / 市级 / 区县级 from the ways people write them.

    >>> parse_recognition_level("国家"), parse_recognition_level("县级")
    ('国家级', '区县级')
    """
    level = _LEVEL_WORDS.get(text)
    if level is None:
        raise ValueError(f"级别应为{'/'.join(LEVELS)}之一")
    return level


def parse_period(value: Any) -> str:
    """``YYYY`` (annual) or ``YYYY-MM`` (monthly) from 2024, 2024-3, 2024年3月, 202403, a date.

    >>> parse_period(2024), parse_period("2024年3月"), parse_period("2024/03"), parse_period("2024年度")
    ('2024', '2024-03', '2024-03', '2024')
    """
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _nfkc(value).replace(" ", "")
    if match := re.fullmatch(r"(\d{4})(?:年度?)?", text):
        return _year(match.group(1))
    match = re.fullmatch(r"(\d{4})(?:[-/.]|年)(\d{1,2})(?:月份?)?", text) or re.fullmatch(
        r"(\d{4})(\d{2})", text
    )
    if match:
        year, month = _year(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError("月份应在1至12之间")
        return f"{year}-{month:02d}"
    raise ValueError("期间应为YYYY(年度)或YYYY-MM(月度)")


def _year(text: str) -> str:
    if not 1900 <= int(text) <= 2100:
        raise ValueError("年份不合理")
    return text


def parse_certifications(value: Any) -> list[str]:
    """A 资质 cell: canonical certifications (product vocabulary), unknown ones as written.

    >>> parse_certifications("首台套;首批次")
    ['首台(套)', '首批次']
    """
    from huiqi.catalog.vocab import parse_certifications as parse

    return parse(parse_text(value))


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "uscc": clean_uscc,
    "text": parse_text,
    "kind": parse_text,
    "region": clean_region_code,
    "industry": clean_industry_code,
    "scale": parse_scale,
    "date": parse_date,
    "bool": parse_bool,
    "amount": parse_amount,
    "count": parse_count,
    "number": parse_metric_value,
    "period": parse_period,
    "indicator": parse_indicator,
    "unit": parse_unit,
    "level": parse_level,
    "certifications": parse_certifications,
}
