"""政策找企业 for a registry too large for one machine: the match run region by region on a Dask
cluster, through Parquet partitions.

Every decision of :func:`huiqi.match.service.match_frames` is about one enterprise: its facts,
its figures, the stacking of grants on one of its facts, the limits on its own money. So the
registry can be cut by region and each part matched alone; put back together, the parts are the
single-machine result row for row (``tests/test_match_partitioned.py`` holds them to it).

The steps, each a function:

1. :func:`write_partitions` — the inputs (enterprises, facts, annual figures, new tax) as one
   Parquet file per table and partition under ``directory/<table>/<key>.parquet``, the key being
   the first digits of the enterprise's 行政区划代码 (4: a prefecture, 2: a province);
2. :func:`match_partitioned` — a task per partition on the cluster's workers
   (:func:`match_partition`: read its files, :func:`~huiqi.match.service.match_frames`, write
   ``directory/result/<key>.parquet``); the rules are sent to each worker once;
3. :func:`read_result` — the result files as one frame.

:func:`write_partitions_from_database` is step 1 read region by region from the database (what
``huiqi match --cluster`` does), and :func:`run_partitioned` steps 2 and 3 on a cluster given by
its address.

``directory`` must be storage every worker reads and writes at the same path (a shared file
system on a real cluster; any local folder with a local cluster). See ``docs/matching.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from huiqi.match.service import match_frames
from huiqi.rules.model import Rule

if TYPE_CHECKING:
    from distributed import Client
    from sqlalchemy import Engine

TABLES = ("enterprises", "facts", "figures", "tax")
RESULT = "result"


def write_partitions(
    directory: Path,
    enterprises: pl.DataFrame,
    facts: pl.DataFrame,
    figures: pl.DataFrame | None = None,
    tax: pl.DataFrame | None = None,
    digits: int = 4,
) -> list[str]:
    """Cut the inputs by the first ``digits`` of each enterprise's region code and write them
    as Parquet; returns the partition keys, sorted. Rows of other tables whose enterprise is
    not in ``enterprises`` are dropped, as the single-machine match ignores them."""
    keyed = enterprises.with_columns(part=pl.col("region_code").str.slice(0, digits))
    owner = keyed.select("uscc", "part")
    tables = {"enterprises": keyed, "facts": facts, "figures": figures, "tax": tax}
    keys = sorted(keyed["part"].unique().to_list())
    for name, frame in tables.items():
        if frame is None:
            continue
        folder = directory / name
        folder.mkdir(parents=True, exist_ok=True)
        with_part = frame if "part" in frame.columns else frame.join(owner, on="uscc", how="inner")
        for key in keys:
            with_part.filter(pl.col("part") == key).drop("part").write_parquet(folder / f"{key}.parquet")
    return keys


def _read(directory: Path, table: str, key: str) -> pl.DataFrame | None:
    path = directory / table / f"{key}.parquet"
    return pl.read_parquet(path) if path.exists() else None


def match_partition(
    directory: str,
    key: str,
    rules: Sequence[Rule],
    as_of: dt.date,
    year: int | None = None,
    retention: float | pl.DataFrame | None = None,
) -> str:
    """Match one partition (run on a worker): read its Parquet files, match, write the result;
    returns the result file's path. Without a single ``retention``, a ``retention`` column of
    the enterprises file (each district's own, see :func:`huiqi.match.service.load_retention`)
    is used."""
    root = Path(directory)
    enterprises = _read(root, "enterprises", key)
    facts = _read(root, "facts", key)
    if enterprises is None or facts is None:
        raise FileNotFoundError(f"partition {key}: no enterprises or facts file under {root}")
    if retention is None and "retention" in enterprises.columns:
        retention = enterprises.select("uscc", "retention")  # type: ignore[assignment]
    result = match_frames(
        enterprises,
        facts,
        list(rules),
        as_of,
        year,
        tax=_read(root, "tax", key),
        figures=_read(root, "figures", key),
        retention=retention,
    )
    out = root / RESULT / f"{key}.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    result.write_parquet(out)
    return str(out)


def match_partitioned(
    client: Client,
    directory: Path,
    keys: Sequence[str],
    rules: Sequence[Rule],
    as_of: dt.date,
    year: int | None = None,
    retention: float | None = None,
) -> list[str]:
    """Match every partition on the cluster ``client`` is connected to; returns the result
    files in key order."""
    shared = client.scatter(list(rules), broadcast=True)
    futures = client.map(
        match_partition,
        [str(directory)] * len(keys),
        list(keys),
        rules=shared,
        as_of=as_of,
        year=year,
        retention=retention,
        pure=False,
    )
    return list(client.gather(futures))


def read_result(paths: Sequence[str]) -> pl.DataFrame:
    """The result files of :func:`match_partitioned` as one frame."""
    return pl.concat([pl.read_parquet(p) for p in paths], how="vertical_relaxed")


def write_partitions_from_database(
    engine: Engine, directory: Path, rules: Sequence[Rule], parameters: list[Any], digits: int = 4
) -> list[str]:
    """:func:`write_partitions` read straight from the database one region at a time, so the
    machine that prepares a run never holds more than one partition: each region's enterprises
    (with their district's tax retention), facts, the annual figures the rules read and the new
    tax (``parameters``: the money parameters in force, read once by the caller). Returns the
    partition keys, sorted."""
    from sqlalchemy import distinct, func, select

    from huiqi.db.models import Enterprise
    from huiqi.match.dbio import read_frame
    from huiqi.match.service import indicators_of, load_figures, load_registry, load_retention, load_tax

    prefix = func.substr(Enterprise.region_code, 1, digits)
    query = select(distinct(prefix).label("key")).where(Enterprise.withdrawn_run_id.is_(None))
    keys = sorted(k for k in read_frame(engine, query, {"key": pl.String})["key"].to_list() if k)
    indicators = indicators_of(list(rules))
    for key in keys:
        enterprises, facts = load_registry(engine, region=key)
        figures = load_figures(engine, indicators, region=key)
        retention, _ = load_retention(engine, enterprises, parameters)
        tables = {
            "enterprises": enterprises.join(retention, on="uscc", how="left"),
            "facts": facts,
            "figures": figures,
            "tax": load_tax(engine, figures=figures),
        }
        for name, frame in tables.items():
            folder = directory / name
            folder.mkdir(parents=True, exist_ok=True)
            frame.write_parquet(folder / f"{key}.parquet")
    return keys


def run_partitioned(
    address: str,
    directory: Path,
    keys: Sequence[str],
    rules: Sequence[Rule],
    as_of: dt.date,
    year: int | None = None,
) -> pl.DataFrame:
    """Match the partitions ``keys`` written under ``directory`` on the cluster at ``address``
    (a scheduler's ``tcp://host:8786``, or ``local:N`` for a cluster of N worker processes on this
    machine) and read the result back."""
    from distributed import Client, LocalCluster

    if address.startswith("local:"):
        workers = int(address.removeprefix("local:") or 2)
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            return read_result(match_partitioned(client, directory, keys, rules, as_of, year))
    with Client(address) as client:
        return read_result(match_partitioned(client, directory, keys, rules, as_of, year))
