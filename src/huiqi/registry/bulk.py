"""Storing checked registry rows in bulk (批量入库): a staging table and set-based SQL.

The checked chunks of a file (:mod:`huiqi.registry.columnar`) are written to a temporary
staging table with the fastest path each database has — one prepared INSERT executed for the
whole chunk on SQLite, ``COPY … FROM STDIN`` on PostgreSQL — and everything
:mod:`huiqi.registry.store` decides row by row is then decided by a few statements over the
whole file at once, with the same outcome:

* a row repeating an earlier row's key (its 记录编号, else its natural key) anywhere in the
  file is refused, naming the earlier row;
* a recognition, event, metric or product whose enterprise is neither stored (and live) nor
  … is refused; rows whose kind the vocabulary does not know are kept aside (``pending_rows``);
* identity: enterprises and metrics by key; recognitions and events by 记录编号, else by the
  natural key (a stored row without a 记录编号 is corrected and may gain one; a file leaving out
  the 记录编号 it gave before still finds its row; a 记录编号 used for another kind is refused;
  two rows of the file pointing at one stored row: the later is refused); products and demands
  by :func:`~huiqi.registry.store.catalog_identity`;
* new rows are inserted, changed rows updated in place, rows stored as they are left alone
  (new / changed / unchanged are counted by the same statements);
* a new fact without 记录编号 close to a live stored one of the same enterprise and kind that
  the file does not mention is stored as its near-duplicate, with a warning;
* 替换 withdraws the live rows of the source the file did not cover (and clears the doubt of
  facts that only resembled them); 撤回 withdraws the rows listed.

Everything happens inside the caller's transaction: a failure or a killed process leaves the
database as it was. Row errors and warnings are kept in a second staging table and read back
in row order, so a file with millions of bad rows does not fill memory either.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import itertools
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from huiqi.registry.columnar import STATE_OK, STATE_PENDING, STATE_REFUSED, Chunk, chunk_schema
from huiqi.registry.store import DATE_FIELD, FACT_TABLES, FIELDS, NEAR_DAYS, catalog_identity
from huiqi.registry.validate import RowError, show
from huiqi.rules.vocabulary import squash

STAGE, ERRORS, FIRSTS = "huiqi_stage", "huiqi_stage_errors", "huiqi_stage_firsts"
SCRATCH = "huiqi_scratch"  # key of the connection's info: the path of its staging file
KEYED: dict[str, tuple[str, ...]] = {"enterprises": ("uscc",), "metrics": ("uscc", "period", "indicator")}
IDENTIFIED = frozenset({"products", "demands"})
NEEDS_ENTERPRISE = frozenset({"recognitions", "events", "metrics", "products"})
FLOAT_FIELDS = frozenset({"amount_wan", "value"})
JSON_FIELDS = frozenset({"extras", "certifications"})
# status of a staged row once decided
NEW, CHANGED, UNCHANGED, WITHDRAW = 1, 2, 3, 4
NO_FIRM, KIND_TAKEN, CLAIMED, SAME_ITEM, NOT_FOUND, GONE, REPEATED = 90, 91, 92, 93, 94, 95, 96
KEYS_ONCE_ROWS = 100_000  # rows written above which PostgreSQL checks foreign keys in one join
KEYS_ONCE_WAIT = "5s"  # how long the import waits for the locks that takes
REPORT_LIMIT = 10_000  # errors kept in memory for the caller; the report has them all
_ROW_NAME = {"products": "产品", "demands": "需求"}
_TABLE_ZH = {"recognitions": "认定", "events": "事项"}


@contextlib.contextmanager
def import_connection(conn: Connection) -> Iterator[Connection]:
    """``conn`` set up for one bulk import, to be used for nothing else afterwards.

    On SQLite, foreign keys are not enforced on this connection: every value the import writes
    into a column with a foreign key is checked by the import itself in the same transaction —
    a row's enterprise must be stored and live (:meth:`BulkStore._need_enterprise`, a stronger
    rule than the key's), and the run columns name the import's own run — so SQLite's own check
    of each row against ``enterprises`` and ``import_runs`` (more than half the time of writing
    the rows) repeats it. The pragma only takes effect outside a transaction, so it is set
    before the import begins, and the connection is discarded afterwards (the pool opens the
    next one with foreign keys on). Durability is untouched: the import commits as before.

    The staging table goes into a scratch file of its own, attached to the connection, when
    ADBC's SQLite driver is installed: the checked chunks are written to it from Arrow by that
    driver (about three times the rate of a prepared INSERT fed with Python tuples), and the
    import's connection reads it once staging is done. The scratch file holds nothing that
    must survive (no journal, no sync) and is deleted afterwards.
    """
    if conn.dialect.name != "sqlite":
        yield conn
        return
    conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
    scratch = None
    if importlib.util.find_spec("adbc_driver_sqlite") is not None:
        _remove_orphans()
        handle, scratch = tempfile.mkstemp(prefix=f"huiqi-stage-{os.getpid()}-", suffix=".db")
        os.close(handle)
        conn.exec_driver_sql("ATTACH DATABASE ? AS huiqi_scratch", (scratch,))
        conn.exec_driver_sql("PRAGMA huiqi_scratch.journal_mode = OFF")
        conn.exec_driver_sql("PRAGMA huiqi_scratch.synchronous = OFF")
        conn.exec_driver_sql("PRAGMA huiqi_scratch.cache_size = -131072")
        conn.info[SCRATCH] = scratch
    conn.commit()
    try:
        yield conn
    finally:
        conn.invalidate()
        if scratch:
            with contextlib.suppress(OSError):
                os.unlink(scratch)


def _remove_orphans() -> None:
    """Delete the scratch files of imports whose process is gone (killed half-way)."""
    for path in Path(tempfile.gettempdir()).glob("huiqi-stage-*-*.db"):
        pid = path.name.split("-")[2]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                path.unlink()
        except OSError:  # it exists (another user's): leave its file alone
            continue


@dataclass
class BulkOutcome:
    """What the store did: counts of rows new, changed, unchanged, withdrawn, kept aside,
    refused (distinct rows) and warned about."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    pending: int = 0
    refused: int = 0
    warned: int = 0


class BulkStore:
    """One import's staging tables on ``conn`` (inside the caller's transaction)."""

    def __init__(
        self, conn: Connection, kind: str, headers: dict[str, str], header_of, check_enterprises: bool = True
    ) -> None:
        self.conn = conn
        # whether a row's enterprise must be stored and live (not for a withdrawal file)
        self.check_enterprises = check_enterprises and kind in NEEDS_ENTERPRISE
        self.kind = kind
        self.pg = conn.dialect.name == "postgresql"
        self.headers = headers  # columns the file has (English → as written)
        self.header_of = header_of  # column → the header the file used (or the spec's)
        self.schema = self._stage_schema()
        self.rows_seen = 0
        self._seq = itertools.count()
        self._key_hashes: list[pl.Series] = []
        self._indexed: set[str] = set()
        self._matched = 0
        self.scratch: str | None = None if self.pg else conn.info.get(SCRATCH)
        self._arrow: Any = None  # the ADBC connection writing the staging table (see import_connection)
        if not self.pg:  # larger page caches for this connection while it writes (bounded: 256 MB)
            self._exec("PRAGMA main.cache_size = -131072")
            self._exec("PRAGMA temp.cache_size = -131072")
        self._drop()
        columns = ", ".join(f"{_q(n)} {self._sqltype(t)}" for n, t in self.schema.items())
        temp = "TEMPORARY"
        control = "status INTEGER, old_id BIGINT, dup_of BIGINT, near_id BIGINT, adopted INTEGER, note TEXT"
        if self.scratch:
            import adbc_driver_sqlite.dbapi as driver

            self._arrow = driver.connect(self.scratch, autocommit=True)
            with self._arrow.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode = OFF")
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute(f"CREATE TABLE {STAGE} ({columns}, {control})")
        else:
            self._exec(f"CREATE {temp} TABLE {STAGE} ({columns}, {control})")
        self._exec(
            f"CREATE {temp} TABLE {ERRORS} (n BIGINT, col TEXT, value TEXT, reason TEXT, field TEXT, "
            "seq BIGINT, warn INTEGER)"
        )

    # --- staging ------------------------------------------------------------------------------
    def _stage_schema(self) -> dict[str, pl.DataType]:
        schema = {("n" if k == "row" else k): v for k, v in chunk_schema(self.kind).items()}
        if self.kind == "metrics":  # no extra columns are kept with a figure
            del schema["extras"]
        if self.kind not in _TABLE_ZH:  # only recognitions and events have kinds to keep aside
            for name in ("pending_kind", "pending_raw"):
                del schema[name]
        if self.kind in FACT_TABLES:
            schema |= {"natural_key": pl.String(), "identity": pl.String()}
        if self.kind in IDENTIFIED:
            schema |= {"identity": pl.String()}
        if self.kind not in KEYED:
            schema |= {"dkey": pl.String()}
        if self.kind in _TABLE_ZH:
            schema |= {"pending_key": pl.String()}
        return schema

    def add(self, chunk: Chunk) -> None:
        """Stage one checked chunk and its errors."""
        self.rows_seen += chunk.rows
        if chunk.errors:
            self._write(
                ERRORS,
                pl.DataFrame(
                    [(e.row, e.column, e.value, e.reason, e.field, next(self._seq), 0) for e in chunk.errors],
                    schema=["n", "col", "value", "reason", "field", "seq", "warn"],
                    orient="row",
                ),
            )
        frame = chunk.frame
        if frame.is_empty():
            return
        frame = frame.rename({"row": "n"})
        if self.kind in _TABLE_ZH:
            frame = self._with_pending(frame)
        frame = self._with_keys(frame)
        keys = list(KEYED.get(self.kind, ("dkey",)))
        # a 64-bit hash of each good key, so a file without repeated keys needs no GROUP BY
        self._key_hashes.append(frame.filter(pl.col("key_ok")).select(pl.struct(keys).hash(7)).to_series())
        self._write(STAGE, frame.select(list(self.schema)))

    def _with_pending(self, frame: pl.DataFrame) -> pl.DataFrame:
        pending = frame["pending_kind"]
        if not pending.is_not_null().any():
            return frame.with_columns(pending_key=pl.lit(None, pl.String))
        keys = [squash(v) if v is not None else None for v in pending.to_list()]
        return frame.with_columns(pending_key=pl.Series(keys, dtype=pl.String))

    def _with_keys(self, frame: pl.DataFrame) -> pl.DataFrame:
        kind = self.kind
        if kind in FACT_TABLES:
            natural = pl.concat_str(
                [
                    pl.col(c).cast(pl.String).fill_null("")
                    if c != "review"
                    else pl.col(c).replace_strict(
                        {True: "True", False: "False"}, default="", return_dtype=pl.String
                    )
                    for c in _natural_fields(kind)
                ],
                separator="|",
            )
            texts = frame.select(natural).to_series().to_list()
            digests = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
            ids = frame.select(
                pl.concat_str([pl.col("uscc"), pl.col("record_id")], separator="|")
            ).to_series()
            with_id = [
                None if t is None else "id:" + hashlib.sha1(t.encode()).hexdigest() for t in ids.to_list()
            ]
            frame = frame.with_columns(
                natural_key=pl.Series(digests, dtype=pl.String), identity=pl.Series(with_id, dtype=pl.String)
            ).with_columns(identity=pl.col("identity").fill_null(pl.lit("nk:") + pl.col("natural_key")))
        elif kind in IDENTIFIED:
            records = frame.select(
                "uscc" if kind == "products" else "demand_id", *_identity_fields(kind)
            ).to_dicts()
            frame = frame.with_columns(
                identity=pl.Series(
                    [catalog_identity(kind, r) if _has_identity(kind, r) else None for r in records],
                    dtype=pl.String,
                )
            )
        if kind not in KEYED:
            spec_key = _spec_key(kind)
            by_key = pl.concat_str(
                [pl.lit("k"), *(pl.col(c).cast(pl.String).fill_null("\x1e") for c in spec_key)],
                separator="\x1f",
            )
            if "record_id" in frame.columns:
                by_id = pl.concat_str([pl.lit("i"), pl.col("uscc"), pl.col("record_id")], separator="\x1f")
                frame = frame.with_columns(
                    dkey=pl.when(pl.col("record_id").is_not_null()).then(by_id).otherwise(by_key)
                )
            else:
                frame = frame.with_columns(dkey=by_key)
        return frame

    def _write(self, table: str, frame: pl.DataFrame) -> None:
        if self.pg:
            buffer = io.BytesIO()
            frame.write_csv(buffer, include_header=False, date_format="%Y-%m-%d")
            raw = self.conn.connection.dbapi_connection
            columns = ", ".join(_q(c) for c in frame.columns)
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy,
            ):
                copy.write(buffer.getvalue())
            return
        frame = frame.with_columns(
            *(pl.col(c).cast(pl.String) for c, t in frame.schema.items() if t == pl.Date),
            *(pl.col(c).cast(pl.Int8) for c, t in frame.schema.items() if t == pl.Boolean),
        )
        columns = ", ".join(_q(c) for c in frame.columns)
        marks = ", ".join("?" for _ in frame.columns)
        if table == STAGE and self._arrow is not None:
            with self._arrow.cursor() as arrow:
                arrow.adbc_ingest(STAGE, frame.to_arrow(compat_level=pl.CompatLevel.oldest()), mode="append")
            return
        cursor = self.conn.connection.dbapi_connection.cursor()
        try:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", frame.rows())
        finally:
            cursor.close()

    # --- deciding -----------------------------------------------------------------------------
    def finish(self, mode: str, source: str, run_id: int, enterprise_header: str, step=None) -> BulkOutcome:
        """Decide and write every staged row (``mode``: ``import``, ``replace`` or ``withdraw``)."""
        step = step or (lambda _: None)
        kind = self.kind
        target = _TABLE[kind]
        self._close_arrow()  # every row is staged; from here this connection alone uses the table
        self._analyze()
        step("查找文件内重复的行")
        self._repeated()
        outcome = BulkOutcome()
        params = {"run": run_id, "source": source}
        if mode == "withdraw":
            outcome.withdrawn = self._withdraw(target, run_id)
        else:
            if kind in _TABLE_ZH:
                outcome.pending = self._keep_pending(run_id)
            if self.check_enterprises:
                self._need_enterprise(enterprise_header)
            step("比对已有记录")
            stored = self._exec(f"SELECT 1 FROM {target} LIMIT 1").first() is not None
            if kind in KEYED:
                self._match_keyed(target, stored)
            else:
                self._match_identity(target, stored)
            if kind in FACT_TABLES and stored:  # nothing stored: nothing to be near
                self._near_duplicates(target)
            step("写入数据库")
            with self._keys_checked_once(target):
                outcome.changed, outcome.new = self._write_rows(target, params)
                step(f"已写入:新增 {outcome.new:,},更新 {outcome.changed:,}")
            outcome.unchanged = self._matched - outcome.changed
            if mode == "replace":
                outcome.withdrawn = self._withdraw_missing(target, params)
        outcome.refused = self._exec(f"SELECT count(DISTINCT n) FROM {ERRORS} WHERE warn = 0").scalar() or 0
        outcome.warned = self._exec(f"SELECT count(*) FROM {ERRORS} WHERE warn = 1").scalar() or 0
        return outcome

    def _analyze(self) -> None:
        """The keyed tables' staging index (their rows are written in key order); the others'
        indexes are built when a statement needs them (:meth:`_index`)."""
        if self.kind in KEYED:
            self._index("k", (*KEYED[self.kind], "n"))
        if self.pg:
            self._exec(f"ANALYZE {STAGE}")

    def _index(self, suffix: str, columns: Sequence[str]) -> None:
        """Index the staging table on ``columns`` (once)."""
        if suffix not in self._indexed:
            schema = "huiqi_scratch." if self.scratch else ""  # an index lives in its table's file
            self._exec(f"CREATE INDEX {schema}{STAGE}_{suffix} ON {STAGE} ({', '.join(columns)})")
            self._indexed.add(suffix)

    def _repeated(self) -> None:
        """Refuse a row whose key repeats an earlier row's (:meth:`_RowCheck.duplicate`)."""
        hashes = pl.concat(self._key_hashes) if self._key_hashes else pl.Series([], dtype=pl.UInt64)
        self._key_hashes = []
        hashes = hashes.sort()  # sorted, equal hashes are neighbours (no hash table: 8 bytes a row)
        if hashes.len() < 2 or not (hashes.slice(1) == hashes.slice(0, hashes.len() - 1)).any():
            return  # no two keys share a hash, so none repeats
        keys = list(KEYED.get(self.kind, ("dkey",)))
        self._index("k", (*keys, "n"))
        joined = " AND ".join(f"f.{k} = {STAGE}.{k}" for k in keys)
        self._exec(
            f"CREATE TEMPORARY TABLE {FIRSTS} AS SELECT {', '.join(keys)}, min(n) AS first FROM {STAGE} "
            f"WHERE key_ok GROUP BY {', '.join(keys)} HAVING count(*) > 1"
        )
        if not self._exec(f"SELECT count(*) FROM {FIRSTS}").scalar():
            return
        self._exec(
            f"UPDATE {STAGE} SET dup_of = (SELECT f.first FROM {FIRSTS} f WHERE {joined}) "
            f"WHERE key_ok "
            f"AND EXISTS (SELECT 1 FROM {FIRSTS} f WHERE {joined} AND f.first <> {STAGE}.n)"
        )
        spec_key = _spec_key(self.kind)
        show_columns = sorted({"uscc", "record_id", *spec_key} & set(self.schema))
        rows = self._exec(
            f"SELECT n, dup_of, {', '.join(show_columns)} FROM {STAGE} WHERE dup_of IS NOT NULL ORDER BY n"
        )
        errors = []
        for row in rows.mappings():
            columns = ("uscc", "record_id") if row.get("record_id") else spec_key
            values = [
                str(bool(row[c])) if c == "review" else show(row[c]) for c in columns if row[c] is not None
            ]
            headers = "+".join(self.header_of(c) for c in columns if c in self.headers)
            reason = f"与第{row['dup_of']}行重复({headers}相同)"
            errors.append(RowError(row["n"], self.header_of(columns[0]), " ".join(values), reason, ""))
        self._errors(errors)
        self._exec(
            f"UPDATE {STAGE} SET state = {STATE_REFUSED}, status = {REPEATED} WHERE dup_of IS NOT NULL"
        )

    def _keep_pending(self, run_id: int) -> int:
        """Rows whose kind the vocabulary does not know: kept aside for an officer to map."""
        record = "CAST(pending_raw AS JSON)" if self.pg else "pending_raw"
        count = self._exec(
            f'INSERT INTO pending_rows ("table", raw_kind, uscc, "row", record, import_run_id) '
            f"SELECT :kind, pending_key, uscc, n, {record}, :run FROM {STAGE} WHERE state = {STATE_PENDING} ORDER BY n",
            {"kind": self.kind, "run": run_id},
        ).rowcount
        if count:
            table = _TABLE_ZH[self.kind]
            reason = f"未知{table}类型:已暂存,待管理员用 huiqi registry map-kind 对应到词表中的类型后生效"
            self._exec(
                f"INSERT INTO {ERRORS} (n, col, value, reason, field, seq, warn) SELECT n, :col, pending_kind, "
                f":reason, 'kind', n, 1 FROM {STAGE} WHERE state = {STATE_PENDING}",
                {"col": self.header_of("kind"), "reason": reason},
            )
        return count

    def _need_enterprise(self, header: str) -> None:
        """Refuse a good row whose enterprise is neither stored nor live: one anti-join over the
        whole file (an index lookup a row on SQLite, a hash anti-join on PostgreSQL)."""
        missing = self._exec(
            f"UPDATE {STAGE} SET status = {NO_FIRM} WHERE state = {STATE_OK} AND NOT EXISTS "
            f"(SELECT 1 FROM enterprises e WHERE e.uscc = {STAGE}.uscc AND e.withdrawn_run_id IS NULL)"
        ).rowcount
        if not missing:
            return
        self._refuse(NO_FIRM, header, "uscc", "'企业不在名录中,请先导入企业表(enterprises)'", "uscc")

    def _refuse(self, status: int, column: str, value_sql: str, reason_sql: str, field: str) -> None:
        """Errors for the rows given ``status``, and the rows refused."""
        self._exec(
            f"INSERT INTO {ERRORS} (n, col, value, reason, field, seq, warn) SELECT n, :col, "
            f"COALESCE({value_sql}, ''), {reason_sql}, :field, n, 0 FROM {STAGE} WHERE status = {status}",
            {"col": column, "field": field},
        )
        self._exec(f"UPDATE {STAGE} SET state = {STATE_REFUSED} WHERE status = {status}")

    def _same(self, fields: Sequence[str], t: str = "t", s: str = STAGE) -> str:
        parts = []
        for f in fields:
            a, b = f"{t}.{_q(f)}", f"{s}.{_q(f)}"
            if f in FLOAT_FIELDS:
                parts.append(f"(({a} IS NULL AND {b} IS NULL) OR abs({a} - {b}) < 1e-9)")
            elif f == "extras":
                stored = f"CAST({a} AS TEXT)" if self.pg else a
                parts.append(f"COALESCE({stored}, '{{}}') = COALESCE({b}, '{{}}')")
            elif f in JSON_FIELDS:
                stored = f"CAST({a} AS TEXT)" if self.pg else a
                parts.append(f"{stored} = {b}")
            else:
                parts.append(f"{a} IS NOT DISTINCT FROM {b}" if self.pg else f"{a} IS {b}")
        return " AND ".join(parts)

    def _match_keyed(self, target: str, stored: bool) -> None:
        keys = KEYED[self.kind]
        on = " AND ".join(f"t.{k} = {STAGE}.{k}" for k in keys)
        same = self._same(FIELDS[self.kind])
        self._matched = 0
        if not stored:
            return  # nothing stored yet: every row is new
        self._matched = self._exec(
            f"UPDATE {STAGE} SET status = CASE WHEN t.withdrawn_run_id IS NULL AND {same} THEN {UNCHANGED} "
            f"ELSE {CHANGED} END FROM {target} t WHERE {STAGE}.state = {STATE_OK} AND {STAGE}.status IS NULL "
            f"AND {on}"
        ).rowcount

    def _match_identity(self, target: str, stored: bool) -> None:
        kind, s = self.kind, STAGE
        live = f"{s}.state = {STATE_OK} AND {s}.status IS NULL"
        if kind in IDENTIFIED or stored:
            self._index("i", ("identity",))
        if kind in IDENTIFIED:  # the same product or demand twice in the file
            self._exec(
                f"UPDATE {s} SET status = {SAME_ITEM}, note = CAST((SELECT min(o.n) FROM {s} o WHERE "
                f"o.identity = {s}.identity AND o.state = {STATE_OK} AND o.status IS NULL) AS TEXT) "
                f"WHERE {live} AND EXISTS (SELECT 1 FROM {s} o WHERE o.identity = {s}.identity "
                f"AND o.state = {STATE_OK} AND o.status IS NULL AND o.n < {s}.n)"
            )
            column = "产品名称" if kind == "products" else "需求编号"
            value = "name" if kind == "products" else "demand_id"
            reason = f"'与第' || note || '行是同一{_ROW_NAME[kind]},请合并为一行'"
            self._refuse(SAME_ITEM, column, value, reason, "")
        self._matched = 0
        if not stored:
            return  # nothing stored yet: no row of the file has a stored row to find
        self._exec(f"UPDATE {s} SET old_id = t.id FROM {target} t WHERE {live} AND t.identity = {s}.identity")
        if kind in FACT_TABLES:
            self._exec(
                f"UPDATE {s} SET old_id = (SELECT min(t.id) FROM {target} t WHERE t.natural_key = {s}.natural_key "
                f"AND t.record_id IS NULL) WHERE {live} AND old_id IS NULL"
            )
            numbered = f"FROM {target} t WHERE t.natural_key = {s}.natural_key AND t.record_id IS NOT NULL"
            self._exec(
                f"UPDATE {s} SET old_id = (SELECT min(t.id) {numbered}), adopted = 1 WHERE {live} "
                f"AND old_id IS NULL AND record_id IS NULL AND (SELECT count(*) {numbered}) = 1"
            )
            self._exec(
                f"UPDATE {s} SET record_id = t.record_id, identity = t.identity FROM {target} t "
                f"WHERE {s}.adopted = 1 AND t.id = {s}.old_id"
            )
            date = DATE_FIELD[kind]
            self._exec(
                f"UPDATE {s} SET status = {KIND_TAKEN}, note = t.kind || ',' || CAST(t.{date} AS TEXT) "
                f"FROM {target} t WHERE {live} AND t.id = {s}.old_id AND t.kind <> {s}.kind"
            )
            self._refuse(
                KIND_TAKEN,
                "记录编号",
                "record_id",
                "'记录编号已用于另一条记录(' || note || '),请检查编号'",
                "record_id",
            )
            self._index("o", ("old_id",))
            first = f"SELECT min(o.n) FROM {s} o WHERE o.old_id = {s}.old_id AND o.state = {STATE_OK} AND o.status IS NULL"
            self._exec(
                f"UPDATE {s} SET status = {CLAIMED}, note = CAST(({first}) AS TEXT) "
                f"WHERE {live} AND old_id IS NOT NULL AND n > ({first})"
            )
            reason = "'与第' || note || '行指向同一条已存记录,请合并为一行或填写不同的记录编号'"
            self._refuse(CLAIMED, "记录编号", "record_id", reason, "")
        fields = list(FIELDS[kind]) + (["identity"] if kind in FACT_TABLES else [])
        same = self._same(fields)
        self._matched = self._exec(
            f"UPDATE {s} SET status = CASE WHEN t.withdrawn_run_id IS NULL AND {same} THEN {UNCHANGED} "
            f"ELSE {CHANGED} END FROM {target} t WHERE {live} AND t.id = {s}.old_id"
        ).rowcount

    def _near_duplicates(self, target: str) -> None:
        s, kind = STAGE, self.kind
        date = DATE_FIELD[kind]
        gap = (
            f"abs(t.{date} - {s}.{date})" if self.pg else f"abs(julianday(t.{date}) - julianday({s}.{date}))"
        )
        review = ""
        if kind == "recognitions":
            review = (
                f"AND t.review IS NOT DISTINCT FROM {s}.review "
                if self.pg
                else f"AND t.review IS {s}.review "
            )
        self._exec(
            f"UPDATE {s} SET near_id = (SELECT min(t.id) FROM {target} t WHERE t.uscc = {s}.uscc "
            f"AND t.kind = {s}.kind {review}AND t.withdrawn_run_id IS NULL AND {gap} <= {NEAR_DAYS[kind]} "
            f"AND NOT EXISTS (SELECT 1 FROM {s} c WHERE c.old_id = t.id AND c.status IN ({CHANGED}, {UNCHANGED}))) "
            f"WHERE state = {STATE_OK} AND status IS NULL AND old_id IS NULL AND record_id IS NULL"
        )
        reason = (
            "'与已导入的' || CAST(t." + date + " AS TEXT) || '同类记录相近,可能是更正后重复导入:已导入,"
            "相关奖补改为需申报核实;如为更正,请用 --replace 重新导入整个文件或填写记录编号'"
        )
        self._exec(
            f"INSERT INTO {ERRORS} (n, col, value, reason, field, seq, warn) SELECT {s}.n, '日期', "
            f"CAST({s}.{date} AS TEXT), {reason}, '{date}', {s}.n, 1 FROM {s} JOIN {target} t ON t.id = {s}.near_id"
        )

    @contextlib.contextmanager
    def _keys_checked_once(self, target: str) -> Iterator[None]:
        """On PostgreSQL, a large write checks ``target``'s foreign keys once, not row by row.

        Each row written fires one trigger per foreign key that looks the referenced row up and
        locks it (FOR KEY SHARE): four fifths of the time of writing millions of figures. When
        more than :data:`KEYS_ONCE_ROWS` rows are to be written, the foreign keys are dropped
        for the write and added back, which checks every row in one join; all inside the
        import's transaction, so a failure or a killed import restores them with everything
        else. Dropping them locks ``target`` and the tables it refers to until the import
        commits (readers wait) and needs the tables' owner; if the locks are not had within
        :data:`KEYS_ONCE_WAIT` or the user may not alter the table, the rows are written with
        the triggers as before.
        """
        if not self.pg:
            yield
            return
        rows = self._exec(
            f"SELECT count(*) FROM {STAGE} WHERE state = {STATE_OK} AND (status IS NULL OR status = {CHANGED})"
        ).scalar()
        keys = []
        if rows and rows > KEYS_ONCE_ROWS:
            keys = self._exec(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = CAST(:t AS regclass) AND contype = 'f' ORDER BY conname",
                {"t": target},
            ).all()
        if keys:
            savepoint = self.conn.begin_nested()
            try:
                self._exec(f"SET LOCAL lock_timeout = '{KEYS_ONCE_WAIT}'")
                for name, _ in keys:
                    self._exec(f"ALTER TABLE {target} DROP CONSTRAINT {_q(name)}")
                savepoint.commit()
            except DBAPIError:
                savepoint.rollback()
                keys = []
            self._exec("SET LOCAL lock_timeout = DEFAULT")
        yield
        for name, definition in keys:
            self._exec(f"ALTER TABLE {target} ADD CONSTRAINT {_q(name)} {definition}")

    def _write_rows(self, target: str, params: dict[str, Any]) -> tuple[int, int]:
        """Update the changed rows and insert the new ones; returns how many of each."""
        kind, s = self.kind, STAGE
        fields = list(FIELDS[kind])
        if kind in FACT_TABLES:
            fields += ["record_id", "identity", "natural_key"]
        elif kind in IDENTIFIED:
            fields += ["identity"]
        fields = list(dict.fromkeys(fields))
        writes = ", ".join(f"{_q(f)} = {self._value(f, s)}" for f in fields)
        stamp = "source = :source, import_run_id = :run, withdrawn_run_id = NULL"
        if kind in KEYED:
            on = " AND ".join(f"{target}.{k} = {s}.{k}" for k in KEYED[kind])
        else:
            on = f"{target}.id = {s}.old_id"
        changed = 0
        if self._matched:
            changed = self._exec(
                f"UPDATE {target} SET {writes}, {stamp} FROM {s} WHERE {s}.state = {STATE_OK} "
                f"AND {s}.status = {CHANGED} AND {on}",
                params,
            ).rowcount
        columns = list(dict.fromkeys([*KEYED.get(kind, ()), *fields]))
        extra_columns, extra_values = (
            ["source", "import_run_id", "withdrawn_run_id"],
            [":source", ":run", "NULL"],
        )
        if kind in FACT_TABLES:
            extra_columns.append("near_duplicate_of")
            extra_values.append("near_id")
        # keyed rows go in key order (the staging index gives it), so the table's own index grows
        # at its end; facts keep the file's order, which their ids follow
        order = ", ".join(KEYED[kind]) if kind in KEYED else "n"
        new = self._exec(
            f"INSERT INTO {target} ({', '.join(_q(c) for c in [*columns, *extra_columns])}) "
            f"SELECT {', '.join([*(self._value(c, s) for c in columns), *extra_values])} FROM {s} "
            f"WHERE state = {STATE_OK} AND status IS NULL ORDER BY {order}",
            params,
        ).rowcount  # the rows left without a status are the new ones
        return changed, new

    def _value(self, column: str, table: str) -> str:
        if self.pg and column in JSON_FIELDS:
            return f"CAST({table}.{_q(column)} AS JSON)"
        return f"{table}.{_q(column)}"

    def _withdraw_missing(self, target: str, params: dict[str, Any]) -> int:
        kind, s = self.kind, STAGE
        if kind in KEYED:
            on = " AND ".join(f"c.{k} = {target}.{k}" for k in KEYED[kind])
        else:
            on = f"c.old_id = {target}.id"
            self._index("o", ("old_id",))
        count = self._exec(
            f"UPDATE {target} SET withdrawn_run_id = :run WHERE source = :source AND withdrawn_run_id IS NULL "
            f"AND (import_run_id IS NULL OR import_run_id <> :run) "
            f"AND NOT EXISTS (SELECT 1 FROM {s} c WHERE c.status = {UNCHANGED} AND {on})",
            params,
        ).rowcount
        if kind in FACT_TABLES and count:
            gone = f"SELECT t.id FROM {target} t WHERE t.withdrawn_run_id = :run"
            self._exec(
                f"DELETE FROM {ERRORS} WHERE warn = 1 AND field = '{DATE_FIELD[kind]}' AND n IN "
                f"(SELECT c.n FROM {s} c WHERE c.near_id IN ({gone}))",
                params,
            )
            self._exec(
                f"UPDATE {target} SET near_duplicate_of = NULL WHERE near_duplicate_of IN ({gone})",
                params,
            )
        return count

    def _withdraw(self, target: str, run_id: int) -> int:
        """撤回: the stored rows the file lists (by 记录编号, else the natural key) are withdrawn."""
        kind, s = self.kind, STAGE
        listed = f"{s}.state IN ({STATE_OK}, {STATE_PENDING})"
        if kind not in KEYED:
            self._index("i", ("identity",))
        if kind in KEYED:
            on = " AND ".join(f"t.{k} = {s}.{k}" for k in KEYED[kind])
            self._exec(
                f"UPDATE {s} SET old_id = 1, note = CAST(t.withdrawn_run_id AS TEXT) FROM {target} t WHERE {listed} AND {on}"
            )
        else:
            self._exec(
                f"UPDATE {s} SET old_id = t.id, note = CAST(t.withdrawn_run_id AS TEXT) FROM {target} t "
                f"WHERE {listed} AND t.identity = {s}.identity"
            )
            if kind in FACT_TABLES:
                same = f"FROM {target} t WHERE t.natural_key = {s}.natural_key"
                self._exec(
                    f"UPDATE {s} SET old_id = (SELECT min(t.id) {same}), note = (SELECT CAST(min(t.withdrawn_run_id) "
                    f"AS TEXT) {same}) WHERE {listed} AND old_id IS NULL AND record_id IS NULL "
                    f"AND (SELECT count(*) {same}) = 1"
                )
        self._exec(f"UPDATE {s} SET status = {NOT_FOUND} WHERE {listed} AND old_id IS NULL")
        self._exec(
            f"UPDATE {s} SET status = {GONE} WHERE {listed} AND old_id IS NOT NULL AND note IS NOT NULL"
        )
        self._exec(f"UPDATE {s} SET status = {WITHDRAW} WHERE {listed} AND status IS NULL")
        if kind == "demands":
            column, value, field = "需求编号", "demand_id", "demand_id"
        else:
            column, value, field = "统一社会信用代码", "uscc", "uscc"
        self._refuse(NOT_FOUND, column, value, "'没有找到要撤回的记录'", field)
        self._refuse(GONE, column, value, "'该记录已撤回'", field)
        if kind in KEYED:
            on = " AND ".join(f"{target}.{k} = c.{k}" for k in KEYED[kind])
            where = f"EXISTS (SELECT 1 FROM {s} c WHERE c.status = {WITHDRAW} AND {on})"
        else:
            where = f"id IN (SELECT c.old_id FROM {s} c WHERE c.status = {WITHDRAW})"
        self._exec(f"UPDATE {target} SET withdrawn_run_id = :run WHERE {where}", {"run": run_id})
        return self._exec(f"SELECT count(*) FROM {s} WHERE status = {WITHDRAW}").scalar() or 0

    # --- reading back -------------------------------------------------------------------------
    def stored_rows(self) -> list[int]:
        """Rows of the file now stored (new, changed or unchanged)."""
        rows = self._exec(
            f"SELECT n FROM {STAGE} WHERE state = {STATE_OK} "
            f"AND (status IS NULL OR status IN ({CHANGED}, {UNCHANGED}))"
        )
        return [r[0] for r in rows]

    def issues(self, warnings: bool, limit: int | None = None) -> Iterator[RowError]:
        """The errors (or the warnings) in row order, then by column."""
        collate = ' COLLATE "C"' if self.pg else ""
        query = (
            f"SELECT n, col, value, reason, field FROM {ERRORS} WHERE warn = :warn "
            f"ORDER BY n, col{collate}, seq" + (f" LIMIT {int(limit)}" if limit else "")
        )
        result = self.conn.execution_options(yield_per=20_000).execute(text(query), {"warn": int(warnings)})
        for n, col, value, reason, field in result:
            yield RowError(int(n), col, value or "", reason, field or "")

    def close(self) -> None:
        """Remove the staging tables. On SQLite the connection is closed instead, which deletes
        its temporary file at once rather than freeing a large table page by page."""
        self._close_arrow()
        if self.pg:
            self._drop()
            self.conn.commit()
        else:
            self.conn.invalidate()

    def _close_arrow(self) -> None:
        if self._arrow is not None:
            self._arrow.close()
            self._arrow = None

    def _drop(self) -> None:
        # with a scratch file, nothing may read it before staging ends: this connection's
        # transaction would keep the empty file's view (only the temporary tables are dropped)
        for table in (FIRSTS, ERRORS) if self.scratch else (FIRSTS, ERRORS, STAGE):
            self._exec(f"DROP TABLE IF EXISTS {'temp.' if self.scratch else ''}{table}")

    def _errors(self, errors: list[RowError]) -> None:
        if errors:
            frame = pl.DataFrame(
                [(e.row, e.column, e.value, e.reason, e.field, next(self._seq), 0) for e in errors],
                schema=["n", "col", "value", "reason", "field", "seq", "warn"],
                orient="row",
            )
            self._write(ERRORS, frame)

    def _exec(self, sql: str, params: dict[str, Any] | None = None):
        return self.conn.execute(text(sql), params or {})

    def _sqltype(self, dtype: pl.DataType) -> str:
        if dtype == pl.Date:
            return "DATE" if self.pg else "TEXT"
        if dtype == pl.Boolean:
            return "BOOLEAN" if self.pg else "INTEGER"
        if dtype == pl.Float64:
            return "DOUBLE PRECISION" if self.pg else "REAL"
        if dtype.is_integer():
            return "BIGINT" if self.pg else "INTEGER"
        return "TEXT"


_TABLE = {
    "enterprises": "enterprises",
    "recognitions": "recognitions",
    "events": "events",
    "metrics": "metrics",
    "products": "products",
    "demands": "demands",
}


def _q(name: str) -> str:
    return f'"{name}"'


def _natural_fields(kind: str) -> tuple[str, ...]:
    from huiqi.registry.store import NATURAL_FIELDS

    return NATURAL_FIELDS[kind]


def _has_identity(kind: str, record: dict[str, Any]) -> bool:
    """Whether a staged product or demand has what its identity is made of: a refused row (an
    empty 产品名称) stays staged so later repeats are still reported, but identifies nothing."""
    if kind == "products":
        return bool(record.get("uscc")) and bool(record.get("record_id") or record.get("name"))
    return bool(record.get("demand_id")) and bool(record.get("buyer_uscc") or record.get("buyer"))


def _spec_key(kind: str) -> tuple[str, ...]:
    from huiqi.registry.schema import table_spec

    return table_spec(kind).key


def _identity_fields(kind: str) -> tuple[str, ...]:
    return ("name", "record_id") if kind == "products" else ("buyer", "buyer_uscc")


__all__ = ["STATE_OK", "STATE_PENDING", "STATE_REFUSED", "BulkOutcome", "BulkStore"]
