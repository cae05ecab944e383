"""亩产效益 evaluation: per-mu and efficiency indicators, scores and A/B/C/D grades.

Who is evaluated: every enterprise with land (用地面积, the latest annual figure up to the
year). Each indicator of the region's scheme (:mod:`huiqi.monitor.settings`, kind ``mu``) is a
ratio of two annual figures of the year — 亩均税收 = 税收 / 用地面积, 单位能耗工业增加值 =
工业增加值 / 综合能耗, 研发投入占比 = 研发投入 / 营业收入 … An enterprise missing a figure a
ratio needs (or whose divisor is 0) is listed with what is missing and not graded.

Points of an indicator: ``weight × min(max(value, 0) / benchmark, cap)``; the benchmark is the
evaluated group's own ratio of totals (``"group"``: Σ税收 / Σ用地面积 over the group's complete
enterprises) or a number the scheme sets. The score is the sum of the points. Grades go by rank
within the group (a city by default): with shares A 20%, B 50%, C 20%, D 10%, an enterprise of
rank r among n is A while (r − 1)/n < 0.2, B while < 0.7, C while < 0.9, else D; tied scores
share the better rank.

:func:`grade_facts` returns the grades shaped like recognitions (kinds ``亩产效益A类`` …), the
form in which the matcher can use them as a condition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from huiqi.monitor.settings import Setting, assign

LAND = "用地面积"


def grade_kind(grade: pl.Expr) -> pl.Expr:
    """The vocabulary kind a grade is held as: ``亩产效益A类`` (data/vocabulary.toml)."""
    return pl.format("亩产效益{}类", grade)


@dataclass
class MuResult:
    """Scored enterprises (one row each, ``indicators`` a list of structs) and those left out."""

    scored: pl.DataFrame
    missing: pl.DataFrame
    settings: list[Setting]


def _group(by: str) -> pl.Expr:
    code = pl.col("region_code")
    return {"city": code.str.slice(0, 4), "district": code, "all": pl.lit("")}[by]


def land_by_enterprise(annual: pl.DataFrame, year: int) -> pl.DataFrame:
    """(uscc, land): the latest annual 用地面积 up to ``year``."""
    return (
        annual.filter(
            (pl.col("indicator") == LAND)
            & (pl.col("period").str.len_chars() == 4)
            & (pl.col("period") <= str(year))
        )
        .sort("period")
        .group_by("uscc")
        .agg(land=pl.col("value").last())
    )


def score(annual: pl.DataFrame, enterprises: pl.DataFrame, year: int, settings: list[Setting]) -> MuResult:
    """Score and grade every enterprise of ``enterprises`` with land in ``year``."""
    land = land_by_enterprise(annual, year).filter(pl.col("land") > 0)
    firms = enterprises.select("uscc", "name", "region_code").join(land, on="uscc", how="inner")
    regions = assign(settings, firms["region_code"], dt.date(year, 12, 31))
    firms = firms.join(regions, on="region_code", how="inner").filter(pl.col("setting").is_not_null())
    figures = annual.filter(pl.col("period") == str(year))
    scored, missing, used = [], [], []
    for index in sorted(firms["setting"].unique().to_list()):
        scheme = settings[index]
        used.append(scheme)
        part = firms.filter(pl.col("setting") == index)
        done, left = _score_scheme(part, figures, scheme)
        scored.append(done)
        missing.append(left)
    if not scored:
        return MuResult(_empty_scored(), _empty_missing(), [])
    return MuResult(
        pl.concat(scored).sort("group", "rank", "uscc"),
        pl.concat(missing).sort("region_code", "uscc"),
        used,
    )


def _score_scheme(
    firms: pl.DataFrame, figures: pl.DataFrame, scheme: Setting
) -> tuple[pl.DataFrame, pl.DataFrame]:
    params = scheme.params
    indicators = params["indicators"]
    needed = sorted({i[k] for i in indicators for k in ("numerator", "denominator")} - {LAND})
    wide = figures.filter(
        pl.col("indicator").is_in(needed) & pl.col("uscc").is_in(firms["uscc"].implode())
    ).pivot("indicator", index="uscc", values="value", aggregate_function="first")
    for name in needed:
        if name not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(name))
    frame = firms.join(wide, on="uscc", how="left").with_columns(pl.col("land").alias(LAND))
    divisors = sorted({i["denominator"] for i in indicators})
    lacks = [pl.when(pl.col(n).is_null()).then(pl.lit(f"缺{n}")) for n in needed] + [
        pl.when(pl.col(d) <= 0).then(pl.lit(f"{d}为0")) for d in divisors if d != LAND
    ]
    frame = frame.with_columns(missing=pl.concat_list(lacks).list.drop_nulls())
    label = scheme.label()
    left = frame.filter(pl.col("missing").list.len() > 0).select(
        "uscc", "name", "region_code", "missing", setting=pl.lit(label)
    )
    frame = frame.filter(pl.col("missing").list.len() == 0).with_columns(group=_group(params["group_by"]))
    cap = float(params["cap"])
    structs = []
    total: pl.Expr = pl.lit(0.0)
    for item in indicators:
        num, den = pl.col(item["numerator"]), pl.col(item["denominator"])
        value = num / den
        bench = item.get("benchmark", "group")
        benchmark = (
            num.sum().over("group") / den.sum().over("group") if bench == "group" else pl.lit(float(bench))
        )
        ratio = pl.when(benchmark > 0).then(value.clip(0, None) / benchmark).otherwise(0.0)
        points = float(item["weight"]) * ratio.clip(None, cap)
        total = total + points
        structs.append(
            pl.struct(
                name=pl.lit(item["name"]),
                value=value.round(4),
                benchmark=benchmark.round(4),
                points=points.round(2),
                weight=pl.lit(float(item["weight"])),
                unit=pl.lit(item.get("unit", "")),
            )
        )
    frame = frame.with_columns(score=total.round(2), indicators=pl.concat_list(structs))
    frame = frame.with_columns(
        rank=pl.col("score").rank("min", descending=True).over("group").cast(pl.Int64),
        group_size=pl.len().over("group").cast(pl.Int64),
    )
    position = (pl.col("rank") - 1) / pl.col("group_size")
    grades = params["grades"]
    grade: pl.Expr = pl.lit(grades[-1][0])
    bounds, acc = [], 0.0
    for name, share in grades:
        acc += float(share)
        bounds.append((name, acc))
    for name, bound in reversed(bounds[:-1]):
        grade = pl.when(position < bound - 1e-12).then(pl.lit(name)).otherwise(grade)
    frame = frame.with_columns(grade=grade, setting=pl.lit(label))
    return (
        frame.select(
            "uscc",
            "name",
            "region_code",
            "group",
            "score",
            "grade",
            "rank",
            "group_size",
            "indicators",
            "setting",
        ),
        left,
    )


def _empty_scored() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "uscc": pl.String,
            "name": pl.String,
            "region_code": pl.String,
            "group": pl.String,
            "score": pl.Float64,
            "grade": pl.String,
            "rank": pl.Int64,
            "group_size": pl.Int64,
            "indicators": pl.List(pl.Struct({"name": pl.String})),
            "setting": pl.String,
        }
    )


def _empty_missing() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "uscc": pl.String,
            "name": pl.String,
            "region_code": pl.String,
            "missing": pl.List(pl.String),
            "setting": pl.String,
        }
    )


def grade_facts(scored: pl.DataFrame, year: int | None = None) -> pl.DataFrame:
    """The grades as recognitions the matcher reads: ``kind`` 亩产效益A类 … (a kind of the
    vocabulary, so a clause can reward 亩产效益A类企业), ``level`` null, ``grade``.

    The evaluation of a year is used in the year after it: granted on 1 January, valid to 31
    December of that next year. ``year`` is the evaluated year, else ``scored`` has a ``year``
    column (as :func:`huiqi.monitor.store.load_grades` returns).
    """
    evaluated = pl.lit(year) if year is not None else pl.col("year")
    return scored.select(
        "uscc",
        kind=grade_kind(pl.col("grade")),
        level=pl.lit(None, pl.String),
        grade="grade",
        granted_on=pl.date(evaluated.cast(pl.Int32) + 1, 1, 1),
        review=pl.lit(False),
        expires_on=pl.date(evaluated.cast(pl.Int32) + 1, 12, 31),
        score="score",
    )


def measures_for(scheme: Setting, grade: str) -> list[str]:
    """The differentiated measures the scheme attaches to ``grade`` (差别化措施)."""
    return list(scheme.params.get("measures", {}).get(grade, []))
