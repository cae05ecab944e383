"""The service's match: published readings only, money parameters per region, every input
recorded with the run, each entitlement tracked under its stable identity.

The matcher does all of it (:func:`huiqi.match.service.run_match` with ``published_only``); this
module keeps what the run records about itself (:func:`record_inputs`) and the service's view
of a run (:class:`ServiceRun`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from huiqi.audit.chain import canonical
from huiqi.db.models import MatchRunInput, MoneyParameter, Publication
from huiqi.payout.parameters import SPECS


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


def package_version() -> str:
    """The installed huiqi version (the rule compiler's and the matcher's code)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("huiqi")
    except PackageNotFoundError:
        return "unknown"


def vocabulary_digest() -> str:
    """SHA-256 of everything the rules were compiled with that is data: the qualification
    vocabulary with its catalogues, and the reading lexicon."""
    data = resources.files("huiqi").joinpath("data")
    files = [data.joinpath("vocabulary.toml"), data.joinpath("lexicon.toml")]
    catalogues = data.joinpath("vocabulary.d")
    if catalogues.is_dir():
        files += sorted((f for f in catalogues.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    digest = hashlib.sha256()
    for part in files:
        digest.update(part.name.encode() + b"\0" + part.read_bytes())
    return digest.hexdigest()


def record_inputs(
    session: Session,
    run_id: int,
    publications: list[Publication],
    parameters: list[MoneyParameter],
    as_of: dt.date,
    year: int | None,
    published_only: bool = True,
) -> dict[str, Any]:
    """Store what the run used: each publication (version and reading hash), every parameter
    version in force (and the defaults where none is set), the vocabulary, the code's version,
    the date and year, and whether unpublished documents took part (a preview, not the money
    path)."""
    inputs: dict[tuple[str, str], Any] = {
        ("run", "as_of"): as_of.isoformat(),
        ("run", "year"): year,
        ("run", "published_only"): published_only,
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
    from huiqi.match.service import run_match

    result = run_match(engine, as_of, year, published_only=True, actor=actor)
    return ServiceRun(
        result.run_id,
        as_of,
        year,
        len(result.rules),
        len(result.leftovers),
        result.enterprises.height,
        result.entitlements.height if result.run_id else 0,
        *result.tracked,
        inputs=result.inputs,
    )
