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
``reason``. Everything is column-wise: the months needed are filtered first, each figure is put
in the column of its months back (this month, the months before, each a year earlier), one
group-by per (enterprise, indicator) gathers them, and the rules are column expressions.
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
    )
    watched = (
        params.select("setting", "streak", "indicators")
        .explode("indicators")
        .rename({"indicators": "indicator"})
    )
    target = periods.index(period)
    wanted = needed_periods(period, settings)
    back_of = {p: target - periods.index(p) for p in wanted}
    streak = max(int(s.params["streak"]) for s in settings) if settings else 1
    value = pl.col("value")
    back = pl.col("period").replace_strict(back_of, return_dtype=pl.Int32)
    # one row per enterprise and indicator: this month and the streak's months, each a year before
    per_indicator = (
        monthly.lazy()
        .filter(pl.col("period").is_in(wanted))
        .select(
            "uscc",
            "indicator",
            *(pl.when(back == k).then(value).alias(f"v{k}") for k in range(streak)),
            *(pl.when(back == k + 12).then(value).alias(f"p{k}") for k in range(streak)),
        )
        .group_by("uscc", "indicator")
        .agg(pl.all().max())  # one row per (enterprise, indicator, month): max picks it
        .join(firms.lazy(), on="uscc", how="inner")
        .join(watched.lazy(), on=["setting", "indicator"], how="inner")
        .with_columns(
            pl.when(pl.col(f"p{k}") > 0).then(pl.col(f"v{k}") / pl.col(f"p{k}") - 1).alias(f"c{k}")
            for k in range(streak)
        )
        .with_columns(
            value=pl.col("v0"),
            previous=pl.col("p0"),
            change=pl.col("c0"),
            declines=pl.sum_horizontal(
                ((pl.col(f"c{k}") < 0) & (k < pl.col("streak"))).fill_null(False).cast(pl.Int32)
                for k in range(streak)
            ),
        )
        .drop("streak")
        .join(params.lazy().drop("indicators"), on="setting", how="left")
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
