"""Rule (规则): one incentive made executable, and the record of one that could not be.

A rule says which fact triggers it (a 认定 or 事项 kind, its level, first grant or 复核), the
time window, the jurisdiction, the amount formula and who pays. Rules are plain frozen data;
the matcher turns a list of them into a table and evaluates it column-wise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from huiqi.rules.conditions import Band
from huiqi.rules.figures import MetricTest

Window = Literal["same_year", "previous_year", "validity"]
LimitBasis = Literal["fixed", "new_tax_retained", "tax_retained", "unknown"]
LimitPeriod = Literal["year", "project", "policy"]
Table = Literal["recognition", "event", "metric"]
MODE_AUTO = "免申即享"
MODE_APPLY = "需申报"
WINDOW_ZH: dict[str, str] = {"same_year": "当年", "previous_year": "上年度", "validity": "文件有效期内"}


@dataclass(frozen=True)
class Limit:
    """每家企业限额: the most one enterprise may get under a document, or under some of its
    articles, as the document states it (typed by the extractor, ``docs/extraction.md``).

    ``basis`` fixed: ``limit_wan``; new_tax_retained: the enterprise's new tax of the year kept
    by the district (税收 of the year − of the year before, × the retained share);
    tax_retained: the year's tax kept by the district; unknown: the text gives no figure
    the registry can compute, so every grant it limits is 需申报. ``period`` says what one
    limit covers: a year, a project (one triggering fact) or the whole policy. ``payers`` (when
    not empty) are the budget levels whose money alone is limited (区级各项奖励), the level as
    written first.
    """

    key: str
    basis: LimitBasis
    limit_wan: float | None
    period: LimitPeriod
    payers: tuple[str, ...]
    text: str

    def describe(self) -> str:
        """The limit in Chinese, e.g. ``每家企业每年最多300万元``."""
        per = {"year": "每年", "project": "每个项目", "policy": "在本政策期内"}[self.period]
        whose = f"{self.payers[0]}资金" if self.payers else "奖补"
        if self.basis == "fixed" and self.limit_wan is not None:
            return f"每家企业{per}{whose}最多{self.limit_wan:g}万元"
        if self.basis == "new_tax_retained":
            return f"每家企业{per}{whose}以当年新增税收地方留成为限"
        if self.basis == "tax_retained":
            return f"每家企业{per}{whose}以当年税收地方留成为限"
        return f"每家企业{per}{whose}有限额(文件未写明金额)"


@dataclass(frozen=True)
class Rule:
    """An incentive bound to a qualification, a window, a jurisdiction and an amount formula.

    The qualification is a trigger — a 认定 or 事项 of ``fact_kinds``, or (``table`` metric) the
    first of ``tests``, a condition on the enterprise's figures — and, all to hold as well, the
    remaining conditions on figures in ``tests`` (且, 同时). A metric trigger reads the figures
    of one year and pays in the next (``previous_year``) unless the clause says 当年.
    """

    rule_id: str
    document_version_id: int
    document: str
    region: str | None
    region_code: str | None  # the document's jurisdiction as a 行政区划代码 (None: anywhere)
    starts: dt.date | None  # first day in force (None: open)
    ends: dt.date | None  # last day in force (None: open)
    supersedes: bool  # the document declares that it replaces earlier ones
    limits: tuple[Limit, ...]  # per-enterprise limits of the document that cover this rule
    incentive_index: int
    subject: str
    text: str
    table: Table
    fact_kinds: tuple[str, ...]
    level: str | None  # required level when all kinds share it (认定 or event level); None = any
    kind_levels: tuple[str | None, ...]  # the required level of each of fact_kinds
    review: bool | None  # True: only 复核 rows; False: only first grants; None: either
    window: Window
    year_only: int | None  # the clause names one year (对2022年…): only facts of that year
    kind: str  # fixed / max / min / ratio / unspecified (from the extraction)
    amount_wan: float | None
    cap_wan: float | None
    ratio: float | None
    ratio_is_max: bool
    base_event: str | None  # event kind whose amount is the base of a ratio on a recognition
    base_text: str | None  # the base as written (设备购置款, 研发和建设总投入)
    per_quantity: bool  # amount × the event's quantity (per 辆 / 台套)
    per_unit: str | None  # the unit as written when per_quantity (辆)
    quantity: Band | None
    amount: Band | None
    payers: tuple[tuple[str, float], ...]
    open_conditions: str | None  # conditions the registry cannot check → 需申报
    grant_key: str  # rows of one grant split across payers share this key and stack
    tests: tuple[MetricTest, ...] = ()  # conditions on figures (the first is the trigger of a metric rule)
    base_measure: str | None = None  # a rate of a figure: 新增税收 (increase) or 上年度研发投入
    base_increase: bool = False  # the base is the figure's increase over the year before
    base_offset: int = 0  # which year's figure, relative to the year the rule checks
    hand_written: bool = False  # an officer wrote the condition (syntax of rules/syntax.py)
    section: str | None = None  # the numbered section (article) the incentive sits in
    exclusive: tuple[tuple[str, str], ...] = ()  # (group, member article): 不得同时享受

    @property
    def extra_tests(self) -> tuple[MetricTest, ...]:
        """The conditions on figures that must hold besides the trigger."""
        return self.tests[1:] if self.table == "metric" else self.tests

    def level_of(self, kind: str) -> str | None:
        """The level this rule requires of a fact of ``kind``."""
        return self.kind_levels[self.fact_kinds.index(kind)]

    @property
    def exact(self) -> bool:
        """Whether the amount follows from registry facts alone (no 最高/不高于, nothing to check,
        and a known start date, so a fact can be placed inside the document's validity)."""
        if self.open_conditions or self.ratio_is_max or self.starts is None:
            return False
        if self.kind == "fixed":
            return self.amount_wan is not None
        if self.kind == "ratio":
            return self.ratio is not None and (
                self.table == "event" or self.base_event is not None or self.base_measure is not None
            )
        return False

    @property
    def mode(self) -> str:
        """免申即享 when the fact is in the registry and the amount needs nothing more; else 需申报."""
        return MODE_AUTO if self.exact else MODE_APPLY

    def in_force(self, day: dt.date) -> bool:
        return (self.starts is None or self.starts <= day) and (self.ends is None or day <= self.ends)

    def describe_fact(self) -> str:
        """The qualifying fact in Chinese, e.g. ``国家级 专精特新小巨人(新认定)``."""
        if self.table == "metric":
            return "且".join(t.describe() for t in self.tests)
        if self.level is None and any(self.kind_levels):
            kinds = "或".join(
                f"{lv or ''}{k}" for k, lv in zip(self.fact_kinds, self.kind_levels, strict=True)
            )
        else:
            kinds = "或".join(self.fact_kinds)
        level = self.level if self.level and not kinds.startswith(self.level) else ""
        review = {True: "(动态复核)", False: "(新认定)", None: ""}[self.review]
        if self.table == "event":
            kinds, level, review = kinds + (f"({self.level})" if self.level else ""), "", ""
        extra = []
        if self.year_only:
            extra.append(f"限{self.year_only}年")
        if self.quantity:
            extra.append(f"数量{self.quantity.describe('台套')}")
        if self.amount:
            extra.append(f"金额{self.amount.describe('万元')}")
        extra += [t.describe() for t in self.tests]
        return f"{level}{kinds}{review}" + (f",{','.join(extra)}" if extra else "")

    def describe_amount(self) -> str:
        """The amount formula in Chinese, e.g. ``设备购置款×10%,最高500万元``."""
        if self.kind == "fixed" and self.amount_wan is not None:
            text = f"{self.amount_wan:g}万元" + (f"/{self.per_unit}" if self.per_quantity else "")
        elif self.kind == "max" and self.cap_wan is not None:
            text = f"最高{self.cap_wan:g}万元" + (f"/{self.per_unit}" if self.per_quantity else "")
        elif self.kind == "ratio" and self.ratio is not None:
            measured = (
                f"{'新增' if self.base_increase else ''}{self.base_measure}" if self.base_measure else None
            )
            base = (
                self.base_text
                or measured
                or (self.fact_kinds[0] + "金额" if self.table == "event" else "基数")
            )
            text = f"{base}×{'不高于' if self.ratio_is_max else ''}{self.ratio * 100:.4g}%"
            text += f",最高{self.cap_wan:g}万元" if self.cap_wan else ""
        elif self.kind == "min" and self.amount_wan is not None:
            text = f"不少于{self.amount_wan:g}万元"
        else:
            text = "金额按有关规定核定"
        if self.starts is None:
            text += "(文件未载明施行日期,事实是否在有效期内需核实)"
        return text


@dataclass(frozen=True)
class Uncompiled:
    """An incentive kept for an officer because it cannot be executed, with the reason."""

    document_version_id: int
    document: str
    incentive_index: int
    subject: str
    text: str
    reason: str
