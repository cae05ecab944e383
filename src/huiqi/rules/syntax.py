"""A small written form of a rule's qualification, for an officer to correct what was read.

When the compiler cannot read a clause, or reads it wrongly, the reviewing officer writes its
condition in the incentive's ``condition`` field; it then compiles like any other reading. One
or more parts joined by 且 (or ``and``, ``;``):

    认定 KIND [LEVEL] [新认定|复核]
    事项 KIND [LEVEL] [金额 OP AMOUNT] [数量 OP COUNT]
    指标 MEASURE [首次|增长|增加] OP NUMBER[%|万元|亿元|元]

KIND is a 认定 or 事项 of the vocabulary (any alias), LEVEL 国家级/省级/市级/区县级 or an
event's level (国际标准, 境外 …), MEASURE an indicator (营业收入, 税收 …), ``A/B`` for a ratio
or ``亩均税收`` for a figure per 亩; OP is ``>=``, ``>``, ``<=``, ``<``, ``=`` or 达到 / 超过 /
不超过 / 低于. The first part is the trigger: a 认定 or 事项 if there is one, else the first 指标.

>>> q = parse_condition("指标 营业收入 首次 >= 1亿元 且 指标 研发投入/营业收入 >= 3%")
>>> q.table, [t.describe() for t in q.tests]
('metric', ['营业收入首次达到1亿元以上', '研发投入/营业收入3%以上'])
>>> q = parse_condition("认定 小巨人 国家级 新认定 且 指标 税收 增长 > 20%")
>>> q.table, q.kinds, q.kind_levels, q.review, q.tests[0].describe()
('recognition', ('专精特新小巨人',), ('国家级',), False, '税收较上年增长超过20%')
>>> parse_condition("认定 区块链先锋")
Traceback (most recent call last):
...
huiqi.rules.syntax.ConditionSyntaxError: 第1段“认定 区块链先锋”:词表中没有认定类型“区块链先锋”
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from huiqi.errors import HuiqiError
from huiqi.rules.conditions import Band
from huiqi.rules.figures import PER_MU, MetricTest, Test
from huiqi.rules.vocabulary import LEVELS, Vocabulary, load_vocabulary
from huiqi.text.money import money_to_wan, parse_number

_OPS = {
    ">=": (True, True),
    "达到": (True, True),
    "不低于": (True, True),
    "不少于": (True, True),
    ">": (True, False),
    "超过": (True, False),
    "高于": (True, False),
    "<=": (False, True),
    "不超过": (False, True),
    "<": (False, False),
    "低于": (False, False),
}
_NUMBER = re.compile(
    r"^(?P<num>[\d.]+|[零〇一二两三四五六七八九十百千万亿]+)(?P<unit>%|万元|亿元|元|万|亿)?$"
)
_REVIEW = {"新认定": False, "首次认定": False, "复核": True, "动态复核": True}
_TESTS: dict[str, Test] = {"首次": "first", "增长": "growth", "增加": "increase", "新增": "increase"}


class ConditionSyntaxError(HuiqiError):
    """An officer's written condition that cannot be read, with the part and the reason."""


@dataclass(frozen=True)
class Qualification:
    """What a written condition asks for (see the module docstring)."""

    table: str
    kinds: tuple[str, ...]
    kind_levels: tuple[str | None, ...]
    review: bool | None
    tests: tuple[MetricTest, ...]
    quantity: Band | None = None
    amount: Band | None = None


def _value(text: str, part: str) -> tuple[float, bool]:
    """A number in the measure's unit (万元 for money), and whether it is a percentage."""
    match = _NUMBER.match(text)
    if not match:
        raise ConditionSyntaxError(f"{part}:“{text}”不是数字")
    unit = match.group("unit") or ""
    if unit == "%":
        return parse_number(match.group("num")) / 100.0, True
    if unit:
        return money_to_wan(match.group("num"), unit), False
    return parse_number(match.group("num")), False


def _band(op: str, value: float, part: str) -> Band:
    if op == "=":
        return Band(value, value)
    if op not in _OPS:
        raise ConditionSyntaxError(f"{part}:不认识的比较“{op}”(可用 >= > <= < = 达到 超过 不超过 低于)")
    lower, inclusive = _OPS[op]
    return Band(value, None, inclusive, True) if lower else Band(None, value, True, inclusive)


def _metric(words: list[str], part: str, vocab: Vocabulary) -> MetricTest:
    names = vocab.indicator_names()
    if not words:
        raise ConditionSyntaxError(f"{part}:缺少指标名称")
    measure = words.pop(0)
    per_mu = measure.startswith("亩均")
    pieces = [measure.removeprefix("亩均")] if per_mu else measure.split("/")
    canonical = [names.get(p.lower()) for p in pieces]
    if not all(canonical) or len(pieces) > 2:
        raise ConditionSyntaxError(f"{part}:词表中没有指标“{measure}”")
    measure = "/".join(c for c in canonical if c) + (f"/{PER_MU}" if per_mu else "")
    test: Test = _TESTS.get(words[0], "level") if words else "level"
    if words and words[0] in _TESTS:
        words.pop(0)
    if len(words) != 2:
        raise ConditionSyntaxError(f"{part}:指标条件应写成“指标 名称 [首次|增长|增加] 比较 数值”")
    value, _ = _value(words[1], part)
    return MetricTest(measure, test, _band(words[0], value, part), 0, part)


def parse_condition(text: str, vocab: Vocabulary | None = None) -> Qualification:
    """Read a written condition; raises :class:`ConditionSyntaxError` naming the part at fault."""
    vocab = vocab or load_vocabulary()
    parts = [p.strip() for p in re.split(r"\s*(?:且|;|;|\band\b)\s*", text.strip()) if p.strip()]
    if not parts:
        raise ConditionSyntaxError("条件为空")
    table, kinds, levels, review = "", (), (), None
    quantity = amount = None
    tests: list[MetricTest] = []
    for number, part in enumerate(parts, start=1):
        label = f"第{number}段“{part}”"
        words = part.split()
        head, rest = words[0], words[1:]
        if head == "指标":
            tests.append(_metric(rest, label, vocab))
            continue
        if head not in ("认定", "事项") or not rest:
            raise ConditionSyntaxError(f"{label}:每段应以 认定、事项 或 指标 开头,后跟名称")
        if table:
            raise ConditionSyntaxError(f"{label}:一个条件只能有一个认定或事项")
        kind_table = "recognition" if head == "认定" else "event"
        resolved = vocab.resolve(rest[0], kind_table)  # type: ignore[arg-type]
        if resolved is None:
            raise ConditionSyntaxError(f"{label}:词表中没有{head}类型“{rest[0]}”")
        level = resolved.level
        rest = rest[1:]
        while rest:
            word = rest.pop(0)
            if word in _REVIEW and kind_table == "recognition":
                review = _REVIEW[word]
            elif word in LEVELS or word in vocab.info(kind_table, resolved.kind).levels:  # type: ignore[arg-type]
                level = word
            elif word in ("金额", "数量") and kind_table == "event" and len(rest) >= 2:
                op, value = rest.pop(0), _value(rest.pop(0), label)[0]
                band = _band(op, value, label)
                quantity, amount = (band, amount) if word == "数量" else (quantity, band)
            else:
                raise ConditionSyntaxError(f"{label}:不认识“{word}”")
        table, kinds, levels = kind_table, (resolved.kind,), (level,)
        if kind_table == "recognition" and review is None:
            review = False
    if not table:
        table, kinds, levels = "metric", (tests[0].measure,), (None,)
    return Qualification(table, kinds, levels, review, tuple(tests), quantity, amount)
