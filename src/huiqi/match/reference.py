"""The same evaluation in plain Python, one enterprise at a time.

This is the obvious loop a first version would be: for each enterprise, for each of its
facts, for each rule. It exists for two reasons: ``bench/match.py`` measures how much the
column-wise engine gains over it, and the tests check that both give the same entitlements,
so either one would expose a slip in the other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from huiqi.match.stacking import PAID, SUPPRESSED, _grant_ids
from huiqi.money import round_wan
from huiqi.registry.codes import contains
from huiqi.rules.conditions import Band
from huiqi.rules.figures import MetricTest
from huiqi.rules.model import Rule


@dataclass(frozen=True)
class Fact:
    fact_key: int
    table: str
    kind: str
    level: str | None
    date: dt.date
    review: bool
    amount: float | None
    quantity: float | None


@dataclass(frozen=True)
class Outcome:
    uscc: str
    rule: int
    fact_key: int | str  # a metric fact is ``m:YEAR:MEASURE``
    year: int
    amount_wan: float | None
    status: str
    doubt: bool = False  # a condition on figures could not be decided (or a probable duplicate)


Figures = dict[tuple[str, int], float]  # (indicator, year) → the year's figure


def figures_by_enterprise(figures: pl.DataFrame) -> dict[str, Figures]:
    """Annual figures (:func:`huiqi.match.figures.annual`) as one dict per enterprise."""
    grouped: dict[str, Figures] = defaultdict(dict)
    for uscc, indicator, year, value in figures.select("uscc", "indicator", "year", "value").iter_rows():
        grouped[uscc][(indicator, year)] = value
    return grouped


def measure_value(figures: Figures, measure: str, year: int) -> float | None:
    """A measure's figure for a year: an indicator, or the ratio of two (None when missing)."""
    top, _, bottom = measure.partition("/")
    value = figures.get((top, year))
    if not bottom or value is None:
        return value
    base = figures.get((bottom, year))
    return None if base is None or base <= 0 else value / base


EPSILON = 1e-9  # the same tolerance as huiqi.match.figures


def _in(band: Band, value: float) -> bool:
    """Whether ``value`` lies in ``band``, compared with a relative tolerance."""
    if band.low is not None:
        eps = max(1.0, abs(band.low)) * EPSILON
        if value < band.low - eps or (not band.low_inclusive and value <= band.low + eps):
            return False
    if band.high is not None:
        eps = max(1.0, abs(band.high)) * EPSILON
        if value > band.high + eps or (not band.high_inclusive and value >= band.high - eps):
            return False
    return True


def test_holds(test: MetricTest, figures: Figures, year: int, founded: int | None) -> bool | None:
    """True, False, or None when the registry cannot tell (the semantics of
    :func:`huiqi.match.figures.test_status`, written out one enterprise at a time)."""
    value = measure_value(figures, test.measure, year)
    if value is None:
        return None
    prev = measure_value(figures, test.measure, year - 1)
    new_firm = founded is not None and founded >= year
    if test.test == "level":
        return _in(test.band, value)
    if test.test == "first":
        if not _in(test.band, value):
            return False
        years = sorted({y for (_, y) in figures if y < year})
        earlier = [v for y in years if (v := measure_value(figures, test.measure, y)) is not None]
        if earlier and _in(test.band, max(earlier)):
            return False
        run_start = year
        while measure_value(figures, test.measure, run_start - 1) is not None:
            run_start -= 1
        need = 3 if founded is None else min(3, year - founded)
        return True if year - run_start >= need else None
    if prev is None:
        return False if new_firm else None
    if test.test == "growth":
        return None if prev <= 0 else _in(test.band, (value - prev) / prev)
    return _in(test.band, value - prev)


def facts_by_enterprise(facts: pl.DataFrame) -> dict[str, list[Fact]]:
    """A fact table (:func:`huiqi.match.engine.facts_frame`) as one list of Facts per enterprise."""
    fields = list(Fact.__dataclass_fields__)
    grouped: dict[str, list[Fact]] = defaultdict(list)
    for row in facts.select("uscc", *fields).iter_rows():
        grouped[row[0]].append(Fact(*row[1:]))
    return grouped


def _band_holds(band: Band | None, value: float | None) -> bool:
    return band is None or band.holds(value)


def _money(
    rule: Rule, fact: Fact, base_sums: dict[tuple[str, int], float], figures: Figures | None = None
) -> tuple[float | None, float | None]:
    """(amount owed, ceiling) of one fact under one rule, each rounded once to the yuan."""
    units = (fact.quantity if fact.quantity is not None else 1.0) if rule.per_quantity else 1.0
    amount, ceiling = None, rule.cap_wan
    if rule.kind == "fixed" and rule.amount_wan is not None:
        amount = rule.amount_wan * units
    elif rule.kind == "max":
        ceiling = None if rule.cap_wan is None else rule.cap_wan * units
    elif rule.kind == "min":
        amount = rule.amount_wan
    elif rule.kind == "ratio":
        if rule.base_measure:
            year = fact.date.year + rule.base_offset
            value = measure_value(figures or {}, rule.base_measure, year)
            before = measure_value(figures or {}, rule.base_measure, year - 1)
            if rule.base_increase:
                base = None if value is None or before is None else max(value - before, 0.0)
            else:
                base = value
        elif fact.table == "event":
            base = fact.amount
        else:
            base = base_sums.get((rule.base_event, fact.date.year)) if rule.base_event else None
        if base is not None and rule.ratio is not None:
            value = base * rule.ratio
            value = min(value, rule.cap_wan) if rule.cap_wan is not None else value
            if rule.ratio_is_max:
                ceiling = value
            else:
                amount = value
    return round_wan(amount), round_wan(ceiling)


def in_jurisdiction(rule: Rule, region_code: str) -> bool:
    """Whether the enterprise's district lies inside the rule's document's region."""
    return rule.region_code is None or contains(rule.region_code, region_code)


def applies(rule: Rule, fact: Fact, region_code: str, as_of: dt.date, year: int | None) -> int | None:
    """The funding year if ``rule`` pays for ``fact``, else None."""
    if fact.date > as_of or fact.table != rule.table or fact.kind not in rule.fact_kinds:
        return None
    required = rule.level_of(fact.kind)
    if required is not None and required != fact.level:
        return None
    if rule.year_only is not None and fact.date.year != rule.year_only:
        return None
    if fact.table == "recognition" and fact.review != bool(rule.review):
        return None
    funding = fact.date.year + (1 if rule.window == "previous_year" else 0)
    if funding > as_of.year or (year is not None and funding != year):
        return None
    if rule.window == "previous_year":
        if (rule.starts and rule.starts.year > funding) or (rule.ends and rule.ends.year < funding):
            return None
    elif (rule.starts and fact.date < rule.starts) or (rule.ends and fact.date > rule.ends):
        return None
    if not (_band_holds(rule.quantity, fact.quantity) and _band_holds(rule.amount, fact.amount)):
        return None
    if not in_jurisdiction(rule, region_code):
        return None
    return funding


def _metric_facts(figures: Figures, measures: set[str]) -> list[Fact]:
    """One fact per measure and year with a figure, dated the last day of the year."""
    years = sorted({y for (_, y) in figures})
    out = []
    for measure in sorted(measures):
        for year in years:
            value = measure_value(figures, measure, year)
            if value is not None:
                out.append(Fact(0, "metric", measure, None, dt.date(year, 12, 31), False, value, None))
    return out


def _conditions(rule: Rule, fact: Fact, figures: Figures, founded: int | None) -> bool | None:
    """Whether the rule's conditions on figures hold for the fact (None: cannot tell)."""
    year = fact.date.year
    statuses = []
    if rule.table == "metric":
        statuses.append(test_holds(rule.tests[0], figures, year, founded))
    statuses += [test_holds(t, figures, year + t.offset, founded) for t in rule.extra_tests]
    if any(s is False for s in statuses):
        return False
    return None if any(s is None for s in statuses) else True


def rules_by_kind(rules: Sequence[Rule]) -> dict[tuple[str, str], list[int]]:
    """The positions of the rules each kind of fact can trigger, keyed by (table, kind): what a
    competent loop looks up instead of trying every rule on every fact."""
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    for position, rule in enumerate(rules):
        for kind in dict.fromkeys(rule.fact_kinds):
            index[(rule.table, kind)].append(position)
    return dict(index)


def evaluate_enterprise(
    uscc: str,
    region_code: str,
    facts: Iterable[Fact],
    rules: Sequence[Rule],
    as_of: dt.date,
    year: int | None = None,
    figures: Figures | None = None,
    founded: int | None = None,
    by_kind: Mapping[tuple[str, str], list[int]] | None = None,
) -> list[Outcome]:
    """Every entitlement of one enterprise, stacked, in plain Python. With ``by_kind``
    (:func:`rules_by_kind`) each fact tries only the rules of its kind; the decisions are the same."""
    facts = list(facts)
    figures = figures or {}
    triggers = {r.tests[0].measure for r in rules if r.table == "metric" and r.tests}
    facts += _metric_facts(figures, triggers)
    base_sums: dict[tuple[str, int], float] = defaultdict(float)
    for fact in facts:
        if fact.table == "event" and fact.amount is not None:
            base_sums[(fact.kind, fact.date.year)] += fact.amount
    by_fact: dict[int | str, list[tuple[int, int, float | None, float | None]]] = defaultdict(list)
    doubts: set[tuple[int | str, int]] = set()
    for fact in facts:
        key = f"m:{fact.date.year}:{fact.kind}" if fact.table == "metric" else fact.fact_key
        positions = by_kind.get((fact.table, fact.kind), ()) if by_kind is not None else range(len(rules))
        for index in positions:
            rule = rules[index]
            funding = applies(rule, fact, region_code, as_of, year)
            if funding is None:
                continue
            holds = _conditions(rule, fact, figures, founded) if rule.tests else True
            if holds is False:
                continue
            if holds is None:
                doubts.add((key, index))
            by_fact[key].append((index, funding, *_money(rule, fact, base_sums, figures)))
    grant = _grant_ids(rules)
    outcomes = []
    for fact_key, rows in by_fact.items():
        offers: dict[int, float] = defaultdict(float)
        for index, _, amount, ceiling in rows:
            offers[grant[index]] += (
                amount if amount is not None else (ceiling if ceiling is not None else -1.0)
            )

        def live(index: int, rows=rows) -> bool:
            mine = rules[index]
            return mine.starts is None or not any(
                rules[i].supersedes
                and rules[i].starts is not None
                and (rules[i].region_code or "") == (mine.region_code or "")
                and mine.starts < rules[i].starts
                for i, _, _, _ in rows
            )

        grants = sorted({grant[i] for i, _, _, _ in rows if live(i)}, key=lambda g: (-offers[g], g))
        winner = grants[0] if grants else None
        for index, funding, amount, _ in rows:
            status = PAID if grant[index] == winner else SUPPRESSED
            outcomes.append(
                Outcome(uscc, index, fact_key, funding, amount, status, (fact_key, index) in doubts)
            )
    return outcomes
