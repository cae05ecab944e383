"""Match for the service: published readings only, money parameters per region, every input
recorded with the run, and each entitlement tracked under its stable identity.

This is the service's way to run the matcher until ``huiqi.match.service.run_match`` itself
compiles :func:`~huiqi.review.service.published_readings`, takes the district retention per
region and calls :func:`record_inputs` and :func:`~huiqi.payout.tracking.track` (the hooks asked
for in docs/service.md). It reuses the matcher's public steps (evaluate, stack, caps).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import polars as pl
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from huiqi.audit.chain import canonical, record
from huiqi.db.engine import session_scope
from huiqi.db.models import Entitlement, MatchRun, MatchRunInput, MoneyParameter, Publication
from huiqi.match.caps import apply_district_caps
from huiqi.match.engine import evaluate
from huiqi.match.service import load_registry, load_tax
from huiqi.match.stacking import PAID, stack
from huiqi.payout.parameters import SPECS, current_parameters, resolve
from huiqi.payout.tracking import track
from huiqi.registry.codes import code_for_place
from huiqi.review.service import published_readings
from huiqi.rules.compile import compile_document
from huiqi.rules.model import Rule, Uncompiled


@dataclass
class ServiceRun:
    """What one service match did."""

    run_id: int | None
    as_of: dt.date
    year: int | None
    rules: int
    leftovers: int
    enterprises: int
    rows: int
    tracked_new: int
    tracked_updated: int
    inputs: dict[str, Any] = field(default_factory=dict)


def compile_published(publications: list[Publication]) -> tuple[list[Rule], list[Uncompiled]]:
    rules: list[Rule] = []
    leftovers: list[Uncompiled] = []
    for publication in publications:
        compiled, left = compile_document(
            publication.document_version_id, publication.reading, code_for_place
        )
        rules.extend(compiled)
        leftovers.extend(left)
    return rules, leftovers


def package_version() -> str:
    """The installed huiqi version (the rule compiler's and the matcher's code)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("huiqi")
    except PackageNotFoundError:
        return "unknown"


def vocabulary_digest() -> str:
    """SHA-256 of the qualification vocabulary the rules were compiled with."""
    data = resources.files("huiqi").joinpath("data/vocabulary.toml").read_bytes()
    return hashlib.sha256(data).hexdigest()


def match_published(
    enterprises: pl.DataFrame,
    facts: pl.DataFrame,
    rules: list[Rule],
    as_of: dt.date,
    year: int | None,
    tax: pl.DataFrame,
    parameters: list[MoneyParameter],
) -> pl.DataFrame:
    """Evaluate, stack, and cap district money with each enterprise's own district retention."""
    stacked = stack(evaluate(enterprises, facts, rules, as_of, year), rules)
    regions = enterprises.select("uscc", "region_code")
    values = {
        code: resolve(parameters, "district_retention", code).value
        for code in regions["region_code"].unique().to_list()
    }
    retention = regions.with_columns(
        retention=pl.col("region_code").replace_strict(values, return_dtype=pl.Float64, default=None)
    )
    parts = []
    for (value,), group in retention.group_by("retention"):
        part = stacked.join(group.select("uscc"), on="uscc", how="semi")
        if not part.is_empty():
            parts.append(apply_district_caps(part, rules, tax, retention=value))
    capped = (
        pl.concat(parts)
        if parts
        else apply_district_caps(stacked, rules, tax, retention=SPECS["district_retention"].default)
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
    names = enterprises.select("uscc", "name")
    return capped.join(meta, on="rule", how="left").join(names, on="uscc", how="left")


def record_inputs(
    session: Session,
    run_id: int,
    publications: list[Publication],
    parameters: list[MoneyParameter],
    as_of: dt.date,
    year: int | None,
) -> dict[str, Any]:
    """Store what the run used: each publication (version and reading hash), every parameter
    version in force (and the defaults where none is set), the vocabulary, the code's version,
    the date and year."""
    inputs: dict[tuple[str, str], Any] = {
        ("run", "as_of"): as_of.isoformat(),
        ("run", "year"): year,
        ("vocabulary", "sha256"): vocabulary_digest(),
        ("code", "huiqi"): package_version(),
    }
    for publication in publications:
        inputs[("publication", f"document:{publication.document_id}")] = {
            "publication_id": publication.id,
            "document_version_id": publication.document_version_id,
            "reading_sha256": publication.reading_sha256,
        }
    for parameter in parameters:
        inputs[("parameter", f"{parameter.name}@{parameter.region_prefix or '*'}")] = {
            "id": parameter.id,
            "version": parameter.version,
            "value": parameter.value,
        }
    for name, spec in SPECS.items():
        if not any(p.name == name and p.region_prefix == "" for p in parameters):
            inputs[("parameter", f"{name}@*")] = {"id": None, "version": None, "value": spec.default}
    session.execute(
        insert(MatchRunInput),
        [{"run_id": run_id, "kind": k, "key": key, "value": canonical(v)} for (k, key), v in inputs.items()],
    )
    return {f"{k}:{key}": v for (k, key), v in inputs.items()}


def run_service_match(
    engine: Engine, as_of: dt.date, year: int | None = None, actor: str = "system"
) -> ServiceRun:
    """Match the registry against the published readings and store the run with its inputs; the
    entitlements are tracked in the same transaction (nothing half-written)."""
    with session_scope(engine) as session:
        publications = published_readings(session)
        parameters = current_parameters(session)
        session.expunge_all()
    rules, leftovers = compile_published(publications)
    enterprises, facts = load_registry(engine)
    frame = match_published(enterprises, facts, rules, as_of, year, load_tax(engine), parameters)
    if enterprises.is_empty() or not rules:
        return ServiceRun(None, as_of, year, len(rules), len(leftovers), len(enterprises), 0, 0, 0)
    paid = frame.filter(pl.col("status") == PAID)
    with session_scope(engine) as session:
        for old in session.scalars(select(MatchRun).where(MatchRun.as_of == as_of, MatchRun.year == year)):
            session.execute(delete(Entitlement).where(Entitlement.run_id == old.id))
            session.delete(old)
        session.flush()
        run = MatchRun(
            as_of=as_of,
            year=year,
            enterprises=len(enterprises),
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
            pl.col("fact_key").cast(pl.String),
            "fact",
            "year",
            "amount_wan",
            "cap_wan",
            "payers",
            "mode",
            "status",
            "reason",
        ).to_dicts()
        for start in range(0, len(rows), 5000):
            session.execute(insert(Entitlement), rows[start : start + 5000])
        inputs = record_inputs(session, run.id, publications, parameters, as_of, year)
        new, updated = track(session, run.id, frame, rules, publications, as_of, year)
        record(
            session,
            actor,
            "match.run",
            "match_run",
            run.id,
            after={"rules": len(rules), "rows": len(rows), "tracked_new": new, "tracked_updated": updated},
        )
        return ServiceRun(
            run.id, as_of, year, len(rules), len(leftovers), len(enterprises), len(rows), new, updated, inputs
        )
