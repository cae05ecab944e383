"""波动企业清单: enterprises whose monthly figures moved sharply against the same month a year before.

For the month ``P`` and each watched indicator of an enterprise's region (营业收入, 工业增加值,
用电量, 税收 by default) four rules are read, with thresholds from the versioned settings
(:mod:`huiqi.monitor.settings`):

* 下滑 — ``change = value / previous − 1`` is at or below ``decline`` (−20%: a 20% fall counts);
* 异常增长 — ``change`` is at or above ``surge`` (+50%), worth a data check;
* 持续下滑 — ``change`` was negative in each of the last ``streak`` months (3), whatever its size;
* 未报送 — the indicator was reported for the month a year before but not for ``P``.

``previous`` is the same month a year before; with no figure then, or a figure of 0, there is no
change and only 未报送 can apply. One item per enterprise and indicator names every rule that
holds (``rules``), the first of 未报送, 下滑, 持续下滑, 异常增长 as ``rule``, and a Chinese
``reason``. Everything is column-wise: the months needed are filtered first, this year is joined
to last year on (enterprise, indicator, months back), and the rules are column expressions.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from huiqi.monitor import periods
from huiqi.monitor.settings import Setting, assign
from huiqi.registry.schema import INDICATOR_UNITS

RULES = ("未报送", "下滑", "持续下滑", "异常增长")
ITEM_KEYS = (
    "uscc",
    "name",
    "region_code",
    "indicator",
    "period",
    "value",
    "previous",
    "change",
    "unit",
    "rule",
    "rules",
    "reason",
    "setting",
)
_EPS = 1e-9  # a fall of exactly 20% is 下滑 even when the division rounds a hair above −0.2


def needed_periods(period: str, settings: list[Setting]) -> list[str]:
    """The months the rules read: the last ``streak`` months and the same months a year before."""
    streak = max((int(s.params["streak"]) for s in settings), default=1)
    recent = periods.months_back(period, streak)
    return recent + [periods.shift(p, -12) for p in recent]


def watched_indicators(settings: list[Setting]) -> list[str]:
    return sorted({i for s in settings for i in s.params["indicators"]})


def _month_index(column: str) -> pl.Expr:
    text = pl.col(column)
    return text.str.slice(0, 4).cast(pl.Int32) * 12 + text.str.slice(5, 2).cast(pl.Int32) - 1


def _text(expr: pl.Expr, digits: int = 2) -> pl.Expr:
    """A number as short text: 700.0 → 700, 1234.567 → 1234.57."""
    return expr.round(digits).cast(pl.String).str.replace(r"\.0$", "")


def fluctuations(
    monthly: pl.DataFrame, enterprises: pl.DataFrame, period: str, settings: list[Setting]
) -> pl.DataFrame:
    """The 波动企业 of ``period`` (``YYYY-MM``) with the keys of :data:`ITEM_KEYS`.

    ``monthly``: uscc, period, indicator, value (other months are ignored); ``enterprises``:
    uscc, name, region_code of the enterprises to watch; ``settings``: the ``alerts`` versions.
    """
    on = dt.date(int(period[:4]), int(period[5:7]), 1)
    regions = assign(settings, enterprises["region_code"], on)
    params = pl.DataFrame(
        {
            "setting": list(range(len(settings))),
            "decline": [float(s.params["decline"]) for s in settings],
            "surge": [float(s.params["surge"]) for s in settings],
            "streak": [int(s.params["streak"]) for s in settings],
            "report_missing": [bool(s.params.get("missing", True)) for s in settings],
            "indicators": [list(s.params["indicators"]) for s in settings],
            "setting_label": [s.label() for s in settings],
        },
        schema_overrides={"setting": pl.Int64, "indicators": pl.List(pl.String)},
    )
    firms = (
        enterprises.select("uscc", "name", "region_code")
        .join(regions, on="region_code", how="inner")
        .filter(pl.col("setting").is_not_null())
        .join(params, on="setting", how="inner")
    )
    target = periods.index(period)
    months = (
        monthly.lazy()
        .filter(pl.col("period").is_in(needed_periods(period, settings)))
        .select("uscc", "indicator", "value", back=pl.lit(target) - _month_index("period"))
    )
    now = months.filter(pl.col("back") < 12)
    before = months.filter(pl.col("back") >= 12).select(
        "uscc", "indicator", back=pl.col("back") - 12, previous=pl.col("value")
    )
    pairs = (
        now.join(before, on=["uscc", "indicator", "back"], how="full", coalesce=True)
        .join(firms.lazy(), on="uscc", how="inner")
        .filter(pl.col("indicators").list.contains(pl.col("indicator")) & (pl.col("back") < pl.col("streak")))
        .with_columns(
            change=pl.when(pl.col("previous") > 0).then(pl.col("value") / pl.col("previous") - 1),
        )
    )
    latest = pl.col("back") == 0
    per_indicator = pairs.group_by("uscc", "indicator").agg(
        pl.col(
            "name", "region_code", "decline", "surge", "streak", "report_missing", "setting_label"
        ).first(),
        value=pl.col("value").filter(latest).first(),
        previous=pl.col("previous").filter(latest).first(),
        change=pl.col("change").filter(latest).first(),
        declines=(pl.col("change") < 0).sum(),
    )
    flags = {
        "未报送": pl.col("report_missing") & pl.col("previous").is_not_null() & pl.col("value").is_null(),
        "下滑": (pl.col("change") <= pl.col("decline") + _EPS).fill_null(False),
        "持续下滑": pl.col("declines") >= pl.col("streak"),
        "异常增长": (pl.col("change") >= pl.col("surge") - _EPS).fill_null(False),
    }
    flagged = per_indicator.with_columns(
        rules=pl.concat_list([pl.when(flags[r]).then(pl.lit(r)) for r in RULES]).list.drop_nulls()
    ).filter(pl.col("rules").list.len() > 0)
    unit = pl.col("indicator").replace_strict(INDICATOR_UNITS, default="", return_dtype=pl.String)
    flagged = flagged.with_columns(unit=unit, period=pl.lit(period))
    return (
        flagged.with_columns(rule=pl.col("rules").list.first(), reason=_reason())
        .select(*ITEM_KEYS[:7], pl.col("change").round(4), *ITEM_KEYS[8:12], setting="setting_label")
        .sort("region_code", "uscc", pl.col("indicator").replace_strict(_ORDER, default=99))
        .collect()
    )


_ORDER = {name: i for i, name in enumerate(INDICATOR_UNITS)}


def _reason() -> pl.Expr:
    ind, unit = pl.col("indicator"), pl.col("unit")
    pct = _text(pl.col("change").abs() * 100, 1)
    parts = {
        "未报送": pl.format("去年同月报送了{}({}{}),本月未报送", ind, _text(pl.col("previous")), unit),
        "下滑": pl.format(
            "{}同比下降{}%,达到下滑线{}%(去年同月{}{},本月{}{})",
            ind,
            pct,
            _text(-pl.col("decline") * 100, 1),
            _text(pl.col("previous")),
            unit,
            _text(pl.col("value")),
            unit,
        ),
        "持续下滑": pl.format("{}已连续{}个月同比下降", ind, pl.col("streak")),
        "异常增长": pl.format(
            "{}同比增长{}%,达到异常增长线{}%,请核实数据",
            ind,
            pct,
            _text(pl.col("surge") * 100, 1),
        ),
    }
    return (
        pl.concat_list(
            [pl.when(pl.col("rules").list.contains(rule)).then(text) for rule, text in parts.items()]
        )
        .list.drop_nulls()
        .list.join(";")
    )
