"""Run a match against the database: load the registry as columns, compile the rules in force,
evaluate, stack, store the entitlements and hand back a frame the reports can use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine, delete, func, select

from huiqi.db.engine import session_scope
from huiqi.db.locks import writer_lock
from huiqi.db.models import Enterprise, Entitlement, Event, MatchRun, Metric, Recognition
from huiqi.library import current_versions
from huiqi.match.caps import apply_limits, new_tax
from huiqi.match.dbio import read_frame, write_frame
from huiqi.match.engine import evaluate, facts_frame, needed_measures
from huiqi.match.figures import annual, measure_frame
from huiqi.match.stacking import PAID, stack
from huiqi.registry.codes import code_for_place
from huiqi.rules.compile import compile_document
from huiqi.rules.model import MODE_APPLY, Rule, Uncompiled


@dataclass
class MatchResult:
    """Entitlements (one row each, stacked) with the rules they came from."""

    run_id: int | None
    as_of: dt.date
    year: int | None
    rules: list[Rule]
    leftovers: list[Uncompiled]
    entitlements: pl.DataFrame
    enterprises: pl.DataFrame  # uscc, name, region_code of every enterprise matched
    inputs: dict[str, Any] = field(default_factory=dict)  # what decided the money, as recorded
    tracked: tuple[int, int] = (0, 0)  # entitlements added to / updated in the tracked ledger


@dataclass
class Library:
    """The rules a match uses, the incentives that could not be made rules, and the officers'
    publications they come from (only published documents pay; see ``published_only``)."""

    rules: list[Rule]
    leftovers: list[Uncompiled]
    publications: list[Any]

    def __iter__(self):  # rules, leftovers = compile_library(engine)
        return iter((self.rules, self.leftovers))


def compile_library(engine: Engine, published_only: bool = False) -> Library:
    """Rules and leftovers of every document in the library.

    A document an officer has published is compiled from its published (reviewed) reading; one
    not yet published from its current machine reading — unless ``published_only``, which is
    what pays: the money path uses only published documents.
    """
    from huiqi.review.service import published_readings

    rules: list[Rule] = []
    leftovers: list[Uncompiled] = []
    with session_scope(engine) as session:
        publications = published_readings(session)
        session.expunge_all()
        published = {p.document_id: p for p in publications}
        for version in current_versions(session):
            publication = published.get(version.document_id)
            if publication is not None:
                reading, version_id = publication.reading, publication.document_version_id
            elif published_only:
                continue
            else:
                reading, version_id = version.extraction, version.id
            compiled, left = compile_document(version_id, reading, code_for_place)
            rules.extend(compiled)
            leftovers.extend(left)
    return Library(rules, leftovers, publications)


def load_parameters(engine: Engine) -> list[Any]:
    """The money parameter versions in force (shares, thresholds), detached from the session."""
    from huiqi.payout.parameters import current_parameters

    with session_scope(engine) as session:
        parameters = current_parameters(session)
        session.expunge_all()
    return parameters


def load_retention(
    engine: Engine, enterprises: pl.DataFrame, parameters: list[Any] | None = None
) -> tuple[pl.DataFrame, list[Any]]:
    """Each enterprise's district retention (the share of tax its district keeps, a money
    parameter set per region by an admin), and the parameter versions in force (read unless
    given)."""
    from huiqi.payout.parameters import resolve

    parameters = load_parameters(engine) if parameters is None else parameters
    codes = enterprises["region_code"].unique().to_list() if not enterprises.is_empty() else []
    values = {code: resolve(parameters, "district_retention", code).value for code in codes}
    frame = enterprises.select(
        "uscc",
        retention=pl.col("region_code").replace_strict(values, default=None, return_dtype=pl.Float64),
    )
    return frame, parameters


def in_region(region: str):
    """The live enterprises whose 行政区划代码 starts with ``region`` (a subquery of their codes)."""
    if not region.isdigit():
        raise ValueError(f"region prefix {region!r}: digits only")
    return select(Enterprise.uscc).where(
        Enterprise.withdrawn_run_id.is_(None), Enterprise.region_code.like(f"{region}%")
    )


def load_figures(
    engine: Engine, indicators: set[str] | None = None, uscc: str | None = None, region: str | None = None
) -> pl.DataFrame:
    """The live annual figures (uscc, indicator, year, value) of ``indicators`` (all when None),
    of one enterprise (``uscc``) or of one region's (``region``, a code prefix) when given."""
    query = select(Metric.uscc, Metric.period, Metric.indicator, Metric.value).where(
        Metric.withdrawn_run_id.is_(None), func.length(Metric.period) == 4
    )
    if indicators is not None:
        query = query.where(Metric.indicator.in_(sorted(indicators)))
    if uscc is not None:
        query = query.where(Metric.uscc == uscc)
    if region is not None:
        query = query.where(Metric.uscc.in_(in_region(region)))
    schema = {"uscc": pl.String, "period": pl.String, "indicator": pl.String, "value": pl.Float64}
    return annual(read_frame(engine, query, schema))


def indicators_of(rules: list[Rule]) -> set[str]:
    """The indicators the rules' conditions and rates read, and 税收 for per-enterprise caps."""
    return {part for measure in needed_measures(rules) for part in measure.split("/")} | {"税收"}


def load_tax(engine: Engine, uscc: str | None = None, figures: pl.DataFrame | None = None) -> pl.DataFrame:
    """(uscc, year, tax, new_tax) from the annual 税收 metrics, for per-enterprise limits."""
    figures = load_figures(engine, {"税收"}, uscc) if figures is None else figures
    return new_tax(
        figures.filter(pl.col("indicator") == "税收").select(
            "uscc", pl.col("year").cast(pl.String).alias("period"), "indicator", "value"
        )
    )


def load_enterprises(engine: Engine, uscc: str | None = None, region: str | None = None) -> pl.DataFrame:
    """The live enterprises (uscc, name, region_code, established_on, founded), all or one
    (``uscc``) or one region's (``region``, a code prefix)."""
    query = select(Enterprise.uscc, Enterprise.name, Enterprise.region_code, Enterprise.established_on).where(
        Enterprise.withdrawn_run_id.is_(None)
    )
    if uscc is not None:
        query = query.where(Enterprise.uscc == uscc)
    if region is not None:
        query = query.where(Enterprise.region_code.like(f"{region}%"))
    return read_frame(
        engine,
        query,
        {"uscc": pl.String, "name": pl.String, "region_code": pl.String, "established_on": pl.Date},
    ).with_columns(founded=pl.col("established_on").dt.year().cast(pl.Int32))


def load_registry(
    engine: Engine, uscc: str | None = None, region: str | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(enterprises, facts) as Polars frames straight from the database; ``uscc`` reads one
    enterprise, ``region`` (a 行政区划代码 prefix: 3701) the enterprises of one region."""

    def only(query, column):
        if uscc is not None:
            query = query.where(column == uscc)
        if region is not None:
            query = query.where(column.in_(in_region(region)))
        return query

    enterprises = load_enterprises(engine, uscc, region)
    recognitions = read_frame(
        engine,
        only(
            select(
                Recognition.id.label("fact_id"),
                Recognition.uscc,
                Recognition.kind,
                Recognition.level,
                Recognition.granted_on,
                Recognition.review,
                Recognition.near_duplicate_of,
            ).where(Recognition.withdrawn_run_id.is_(None)),
            Recognition.uscc,
        ),
        {
            "fact_id": pl.Int64,
            "uscc": pl.String,
            "kind": pl.String,
            "level": pl.String,
            "granted_on": pl.Date,
            "review": pl.Boolean,
            "near_duplicate_of": pl.Int64,
        },
    )
    events = read_frame(
        engine,
        only(
            select(
                Event.id.label("fact_id"),
                Event.uscc,
                Event.kind,
                Event.level,
                Event.occurred_on,
                Event.amount_wan,
                Event.quantity,
                Event.near_duplicate_of,
            ).where(Event.withdrawn_run_id.is_(None)),
            Event.uscc,
        ),
        {
            "fact_id": pl.Int64,
            "uscc": pl.String,
            "kind": pl.String,
            "level": pl.String,
            "occurred_on": pl.Date,
            "amount_wan": pl.Float64,
            "quantity": pl.Float64,
            "near_duplicate_of": pl.Int64,
        },
    )
    recognitions = pl.concat(
        [recognitions, _grades(engine, uscc), _catalog_listings(engine, uscc)], how="diagonal_relaxed"
    )
    return enterprises, facts_frame(recognitions, events, enterprises)


GRADE_FACT_IDS = -1_000_000_000  # derived facts get ids below these, apart from stored rows' ids
CATALOG_FACT_IDS = -2_000_000_000


def _catalog_listings(engine: Engine, uscc: str | None = None) -> pl.DataFrame:
    """Products listed in published catalogs (优势工业产品目录, 政府首购创新产品目录) as titles of their
    makers: one fact per listed product, from the day it is listed (``huiqi catalog``)."""
    from huiqi.catalog.editions import catalog_facts

    listed = catalog_facts(engine)
    if uscc is not None:
        listed = listed.filter(pl.col("uscc") == uscc)
    return listed.with_row_index("n").select(
        (CATALOG_FACT_IDS - pl.col("n").cast(pl.Int64)).alias("fact_id"),
        "uscc",
        "kind",
        "level",
        "granted_on",
        "review",
        pl.format("c:{}:{}", pl.col("edition_id"), pl.col("product_id")).alias("ref"),
    )


def _grades(engine: Engine, uscc: str | None = None) -> pl.DataFrame:
    """The 亩产效益 grades (huiqi mu) as recognitions: ``亩产效益A类`` … held from 1 January of the
    year after the evaluation; the matcher can reward them like any title."""
    from huiqi.monitor.mu import grade_facts
    from huiqi.monitor.store import load_grades

    grades = load_grades(engine)
    if uscc is not None:
        grades = grades.filter(pl.col("uscc") == uscc)
    return (
        grade_facts(grades)
        .with_row_index("n")
        .select(
            (GRADE_FACT_IDS - pl.col("n").cast(pl.Int64)).alias("fact_id"),
            "uscc",
            "kind",
            "level",
            "granted_on",
            "review",
        )
    )


def match_frames(
    enterprises: pl.DataFrame,
    facts: pl.DataFrame,
    rules: list[Rule],
    as_of: dt.date,
    year: int | None = None,
    tax: pl.DataFrame | None = None,
    figures: pl.DataFrame | None = None,
    retention: float | pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Evaluate, stack and limit; adds the rule's document, subject, payers, the enterprise
    name and ``fact_ref``, the fact's stable identity (``r:ID``, ``e:ID``, ``m:USCC:YEAR:MEASURE``).

    ``tax`` is :func:`huiqi.match.caps.new_tax` of the registry's metrics; without it limits on
    tax cannot be known and the grants they cover become 需申报. ``figures`` are the annual
    metrics (:func:`huiqi.match.figures.annual`) that conditions on figures read; ``retention``
    the district retention (one value, or per enterprise: uscc, retention).
    """
    measures = None
    if figures is not None:
        known = (
            enterprises.select("uscc", "founded", "region_code") if "founded" in enterprises.columns else None
        )
        measures = measure_frame(figures, needed_measures(rules), known)
    stacked = stack(evaluate(enterprises, facts, rules, as_of, year, measures), rules)
    if tax is None:
        tax = pl.DataFrame(
            schema={"uscc": pl.String, "year": pl.Int32, "tax": pl.Float64, "new_tax": pl.Float64}
        )
    stacked = apply_limits(stacked, rules, tax, retention)
    stacked = stacked.with_columns(
        mode=pl.when(pl.col("doubt").is_not_null()).then(pl.lit(MODE_APPLY)).otherwise(pl.col("mode")),
        reason=pl.when(pl.col("doubt").is_not_null())
        .then(pl.format("{};{}", pl.col("reason"), pl.col("doubt")))
        .otherwise(pl.col("reason")),
    )
    meta = pl.DataFrame(
        {
            "rule": list(range(len(rules))),
            "rule_id": [r.rule_id for r in rules],
            "document_version_id": [r.document_version_id for r in rules],
            "subject": [r.subject for r in rules],
            "formula": [r.kind for r in rules],
            "payers": [[{"payer": p, "share": s} for p, s in r.payers] for r in rules],
        },
        schema_overrides={"rule": pl.Int32},
    )
    names = enterprises.select("uscc", *(["name"] if "name" in enterprises.columns else []))
    return (
        stacked.join(meta, on="rule", how="left")
        .join(names, on="uscc", how="left")
        .with_columns(fact_ref=fact_ref())
    )


def fact_ref() -> pl.Expr:
    """A fact's identity that stays the same across runs: the registry row (``r:ID`` for a
    recognition, ``e:ID`` for an event), or what a derived fact stands for (``m:USCC:2024:营业收入``
    for a year's figures, ``g:USCC:亩产效益A类:2025-01-01`` for a grade)."""
    derived = pl.concat_str([pl.col("uscc"), pl.col("kind"), pl.col("date").cast(pl.String)], separator=":")
    return (
        pl.when(pl.col("ref").is_not_null())
        .then(pl.col("ref"))
        .when(pl.col("table") == "metric")
        .then(pl.format("m:{}:{}:{}", pl.col("uscc"), pl.col("date").dt.year(), pl.col("kind")))
        .when(pl.col("fact_key") < 0)
        .then(pl.format("g:{}", derived))
        .when(pl.col("table") == "recognition")
        .then(pl.format("r:{}", pl.col("fact_key") // 2))
        .otherwise(pl.format("e:{}", (pl.col("fact_key") - 1) // 2))
    )


def run_match(
    engine: Engine,
    as_of: dt.date,
    year: int | None = None,
    store: bool = True,
    published_only: bool = False,
    actor: str = "system",
    cluster: str | None = None,
    partitions: Path | None = None,
) -> MatchResult:
    """Match everything in the database and (by default) store the run, its entitlements and
    everything that decided the money (publications, parameter versions, vocabulary, code).

    ``published_only`` is the money path: only published documents, and the run's entitlements
    are kept in the tracked ledger (``payout/tracking.py``) that confirmations, applications and
    payouts refer to. ``cluster`` runs the match partitioned by region on a Dask cluster
    (``local:N`` or a scheduler address, see :func:`huiqi.match.partitioned.run_partitioned`)
    through Parquet files under ``partitions`` (storage every worker reads); the result is the
    same as the single run's.
    """
    library = compile_library(engine, published_only)
    rules, leftovers = library.rules, library.leftovers
    frame = None
    if cluster and rules:
        from huiqi.match.partitioned import run_partitioned, write_partitions_from_database

        if partitions is None:
            raise ValueError("a partitioned run needs a folder for its partitions")
        # the registry is read region by region into the partitions, never whole
        enterprises = load_enterprises(engine)
        parameters = load_parameters(engine)
        keys = (
            write_partitions_from_database(engine, partitions, rules, parameters)
            if enterprises.height
            else []
        )
        if keys:
            frame = run_partitioned(cluster, partitions, keys, rules, as_of, year)
    if frame is None:
        enterprises, facts = load_registry(engine)
        figures = load_figures(engine, indicators_of(rules))
        retention, parameters = load_retention(engine, enterprises)
        tax = load_tax(engine, figures=figures)
        frame = match_frames(enterprises, facts, rules, as_of, year, tax, figures, retention)
    result = MatchResult(None, as_of, year, rules, leftovers, frame, enterprises)
    if store and len(enterprises) > 0 and len(rules) > 0:
        _store(engine, result, library, parameters, published_only, actor)
    return result


def run_key(as_of: dt.date, year: int | None) -> str:
    """The question a match run answers: as-of date and funding year (``all`` for every year)."""
    return f"{as_of.isoformat()}|{'all' if year is None else year}"


def _store(
    engine: Engine,
    result: MatchResult,
    library: Library,
    parameters: list[Any],
    published_only: bool,
    actor: str,
) -> None:
    """One match run with its entitlements and inputs, in one transaction; replaces an earlier
    run of the same as-of date and year so re-running does not pile up copies. Sets the
    result's ``run_id``, ``inputs`` and ``tracked``."""
    from huiqi.audit.chain import record
    from huiqi.payout.runs import record_inputs
    from huiqi.payout.tracking import track

    frame, as_of, year, rules = result.entitlements, result.as_of, result.year, result.rules
    paid = frame.filter(pl.col("status") == PAID)
    key = run_key(as_of, year)
    with writer_lock(engine), session_scope(engine) as session:
        for old in session.scalars(select(MatchRun).where(MatchRun.run_key == key)):
            session.execute(delete(Entitlement).where(Entitlement.run_id == old.id))
            session.delete(old)
        session.flush()
        run = MatchRun(
            run_key=key,
            as_of=as_of,
            year=year,
            enterprises=result.enterprises.height,
            rules=len(rules),
            entitlements=len(paid),
            total_wan=float(paid["amount_wan"].fill_null(0).sum() or 0.0),
        )
        session.add(run)
        session.flush()
        rows = frame.select(
            pl.lit(run.id).alias("run_id"),
            "uscc",
            "document_version_id",
            "rule_id",
            "document",
            "subject",
            pl.col("formula").alias("kind"),
            pl.col("table").alias("fact_table"),
            pl.col("fact_ref").alias("fact_key"),
            "fact",
            "year",
            "amount_wan",
            "cap_wan",
            "payers",
            "mode",
            "status",
            "reason",
        )
        write_frame(session.connection(), Entitlement.__tablename__, rows, json_columns=("payers",))
        result.run_id = run.id
        result.inputs = record_inputs(
            session, run.id, library.publications, parameters, as_of, year, published_only
        )
        after: dict[str, Any] = {"rules": len(rules), "rows": rows.height, "published_only": published_only}
        if published_only:
            result.tracked = track(session, run.id, frame, rules, library.publications, as_of, year)
            after |= {"tracked_new": result.tracked[0], "tracked_updated": result.tracked[1]}
        record(session, actor, "match.run", "match_run", run.id, after=after)
