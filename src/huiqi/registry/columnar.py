"""Checking a registry table in columnar chunks (列式校验): the same checks as
:mod:`huiqi.registry.validate`, a chunk of rows at a time, each distinct value once.

Most columns of a registry file hold few distinct values (a few hundred kinds, districts,
dates, periods, indicators), so each distinct value is parsed once by the same parser the
row-by-row check uses and the answer is joined back to every row that holds it. The columns
whose values are nearly all different are checked as columns: the credit code's check digit
(GB 32100-2015, computed for the whole column), plain numbers and ISO dates (cast), with
anything unusual handed to the row parser so the reason is the same word for word. The table
checks (kinds and levels, units of indicators, 规模, districts) run once per distinct
combination of the values they read.

What comes out of a chunk is a frame of clean records (see :data:`FIELDS`) with ``state``
(1: good, 2: kind kept aside for mapping, 0: refused — kept only so a later row repeating its
key is still reported) and ``key_ok`` (the row's key columns are valid), and the row errors.
Duplicates across the whole file are found by the store, which sees every chunk
(:mod:`huiqi.registry.bulk`). A workbook's cells are typed values (dates, numbers), so it is
checked by :func:`huiqi.registry.validate.validate` itself: whole when it is small enough to be
opened whole, else a chunk at a time as its rows are read.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from huiqi.registry.codes import full_region_name, is_registration_level
from huiqi.registry.numbers import MAX_COUNT, MAX_METRIC, MAX_MONEY_WAN
from huiqi.registry.reader import _STRIP, RawRow, RawTable, TableStream, _blank, _raw_row, clean_text
from huiqi.registry.schema import INDICATOR_UNITS, Column, TableSpec
from huiqi.registry.validate import (
    _PARSERS,
    _TABLE_CHECKS,
    PAST_DATES,
    RowError,
    _Memo,
    _RowCheck,
    show,
    split_buyer,
    validate,
)
from huiqi.rules.vocabulary import Resolved, Vocabulary, load_vocabulary

CHUNK_ROWS = 100_000
STATE_REFUSED, STATE_OK, STATE_PENDING = 0, 1, 2

# The clean fields of each table, as staged and stored (types as Polars dtypes).
FIELDS: dict[str, dict[str, pl.DataType]] = {
    "enterprises": {
        "uscc": pl.String(), "name": pl.String(), "region_code": pl.String(), "industry_code": pl.String(),
        "scale": pl.String(), "size": pl.String(), "established_on": pl.Date(),
    },
    "recognitions": {
        "uscc": pl.String(), "kind": pl.String(), "level": pl.String(), "granted_on": pl.Date(),
        "review": pl.Boolean(), "expires_on": pl.Date(), "record_id": pl.String(),
    },
    "events": {
        "uscc": pl.String(), "kind": pl.String(), "occurred_on": pl.Date(), "amount_wan": pl.Float64(),
        "quantity": pl.Int64(), "level": pl.String(), "detail": pl.String(), "record_id": pl.String(),
    },
    "metrics": {
        "uscc": pl.String(), "period": pl.String(), "indicator": pl.String(), "value": pl.Float64(),
        "unit": pl.String(),
    },
    "products": {
        "uscc": pl.String(), "name": pl.String(), "category": pl.String(), "description": pl.String(),
        "certifications": pl.String(), "capacity": pl.String(), "record_id": pl.String(),
    },
    "demands": {
        "demand_id": pl.String(), "buyer": pl.String(), "buyer_uscc": pl.String(), "title": pl.String(),
        "description": pl.String(), "category": pl.String(), "region_code": pl.String(),
        "deadline": pl.Date(),
    },
}  # fmt: skip
CONTROL_FIELDS: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    "state": pl.Int8(),
    "key_ok": pl.Boolean(),
    "extras": pl.String(),
    "pending_kind": pl.String(),
    "pending_raw": pl.String(),
}


def chunk_schema(kind: str) -> dict[str, pl.DataType]:
    """Columns of a validated chunk of ``kind``."""
    return {**CONTROL_FIELDS, **FIELDS[kind]}


@dataclass
class Chunk:
    """One checked chunk: clean records (with ``state`` and ``key_ok``) and its row errors."""

    frame: pl.DataFrame
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0  # non-blank data rows


def validated_chunks(
    stream: TableStream,
    vocab: Vocabulary | None = None,
    mappings: Mapping[tuple[str, str], Resolved] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[Chunk]:
    """Every data row of ``stream`` checked, ``chunk_rows`` rows at a time."""
    vocab = vocab or load_vocabulary()
    if stream.table is not None:
        yield from _whole_table(stream.table, vocab, mappings or {}, chunk_rows)
        return
    if stream.workbook:
        yield from _workbook_chunks(stream, vocab, mappings or {}, chunk_rows)
        return
    checker = ChunkChecker(stream, _Memo(vocab, mappings or {}))
    for frame in raw_frames(stream, chunk_rows):
        if frame.height:
            yield checker.check(frame)


def raw_frames(stream: TableStream, chunk_rows: int = CHUNK_ROWS) -> Iterator[pl.DataFrame]:
    """The non-blank data rows of a CSV stream as frames of cleaned cells (see :func:`_raw_frame`).

    A UTF-8 file is parsed by Polars' CSV reader, which numbers records as the csv module does;
    should it meet a line it cannot parse (an unclosed quote), the csv module reads on from the
    first row not yet handed over. Other encodings are read by the csv module throughout.
    """
    rows = stream.rows
    if _polars_can_read(stream):
        last = stream.header_row
        try:
            for batch in _polars_batches(stream, chunk_rows):
                last = int(batch["row"][-1])
                yield _polars_frame(batch, stream)
            return
        except pl.exceptions.PolarsError:
            rows = stream.rows_after(last)
    rows = iter(rows)
    while batch := list(itertools.islice(rows, chunk_rows)):
        yield _raw_frame(batch, stream)


_OVERFLOW = 8  # cells read beyond the header's width (they make a row not blank)


def _polars_can_read(stream: TableStream) -> bool:
    if stream.encoding not in ("utf-8", "utf-8-sig") or len(stream.delimiter) != 1:
        return False
    with stream.path.open("rb") as handle:
        start = handle.read(1 << 20)
    return b"\r" not in start.replace(b"\r\n", b"")  # lines ended by a lone CR: the csv module


def _polars_batches(stream: TableStream, chunk_rows: int) -> Iterator[pl.DataFrame]:
    """The file after its header in blocks of whole records, each parsed by Polars.

    A block ends at a line break outside quotes (an even number of quote characters before it),
    so a quoted cell spanning lines stays whole; blocks are read one at a time, so memory is
    bounded by the block, not the file.
    """
    schema = {f"c{i}": pl.String for i in range(stream.width + _OVERFLOW)}
    size = max(chunk_rows * 64, 4096)
    row = stream.header_row + 1
    with stream.path.open("rb") as handle:
        for _ in range(stream.header_lines):
            handle.readline()
        carry = b""
        while True:
            block = handle.read(size)
            data = carry + block
            if not data:
                return
            cut = len(data) if not block else _record_end(data)
            if cut <= 0:
                carry = data
                continue
            frame = pl.read_csv(
                data[:cut],
                has_header=False,
                separator=stream.delimiter,
                schema=schema,
                truncate_ragged_lines=True,
                missing_columns="insert",
                empty_string_is_null=False,
                raise_if_empty=False,
            )
            carry = data[cut:]
            if frame.height:
                yield frame.with_columns(pl.int_range(row, row + frame.height, dtype=pl.Int64).alias("row"))
                row += frame.height


def _record_end(data: bytes) -> int:
    """Where the last whole record of ``data`` ends (after a line break outside quotes), or 0."""
    quotes = data.count(b'"')
    end = len(data)
    while True:
        pos = data.rfind(b"\n", 0, end)
        if pos < 0:
            return 0
        quotes -= data.count(b'"', pos + 1, end)
        if quotes % 2 == 0:
            return pos + 1
        end = pos


def _polars_frame(batch: pl.DataFrame, stream: TableStream) -> pl.DataFrame:
    named = [(i, name) for i, name in stream.columns.items()] + [
        (i, f"x:{h}") for i, h in stream.extras.items()
    ]
    frame = batch.select("row")
    if named:
        cleaned = pl.select(*(_clean(batch[f"c{i}"].alias(name)) for i, name in named))
        frame = pl.concat([frame, cleaned], how="horizontal")
    overflow = [f"c{i}" for i in range(stream.width, stream.width + _OVERFLOW) if f"c{i}" in batch.columns]
    beyond = (
        pl.select(pl.any_horizontal(*(_clean(batch[c]).is_not_null() for c in overflow))).to_series()
        if overflow
        else pl.Series([False] * batch.height)
    )
    present = (
        pl.any_horizontal(*(pl.col(c).is_not_null() for c in frame.columns[1:])) if named else pl.lit(False)
    )
    return frame.with_columns(_beyond=beyond).filter(present | pl.col("_beyond")).drop("_beyond")


# --- a workbook, or rows kept aside: the row-by-row check -------------------------------------


def _whole_table(
    table: RawTable, vocab: Vocabulary, mappings: Mapping[tuple[str, str], Resolved], chunk_rows: int
) -> Iterator[Chunk]:
    result = validate(table, vocab, mappings)
    yield from records_chunks(table, result.records, result.errors, chunk_rows)


def _workbook_chunks(
    stream: TableStream, vocab: Vocabulary, mappings: Mapping[tuple[str, str], Resolved], chunk_rows: int
) -> Iterator[Chunk]:
    """A streamed workbook, ``chunk_rows`` rows at a time, each checked row by row; the keys of
    earlier chunks are kept (key → first row) so a repeat anywhere in the sheet is reported as
    in a workbook read whole."""
    seen: dict[tuple, int] = {}
    named = [h for h in stream.extras.values()]
    rows = iter(stream.rows)
    while batch := list(itertools.islice(rows, chunk_rows)):
        data = [_raw_row(n, cells, stream.columns, stream.extras) for n, cells in batch if not _blank(cells)]
        if not data:
            continue
        table = RawTable(
            stream.kind, stream.path, stream.headers, named, data, stream.sheet, stream.header_row
        )
        result = validate(table, vocab, mappings, seen)
        yield from records_chunks(table, result.records, result.errors, chunk_rows)


def records_chunks(
    table: RawTable, records: list[dict[str, Any]], errors: list[RowError], chunk_rows: int = CHUNK_ROWS
) -> Iterator[Chunk]:
    """Records of :func:`~huiqi.registry.validate.validate` (each with its ``row``) as chunks.

    Repeated keys were already refused by the row check, so every record is good or pending.
    """
    kind = table.kind
    by_row = {r.row: r for r in table.rows}
    fields = FIELDS[kind]
    total = len(table.rows)
    if not records:
        yield Chunk(pl.DataFrame(schema=chunk_schema(kind)), list(errors), total)
        return
    for start in range(0, len(records), chunk_rows):
        part = records[start : start + chunk_rows]
        columns: dict[str, list[Any]] = {name: [] for name in chunk_schema(kind)}
        for record in part:
            pending = record.get("pending_kind")
            columns["row"].append(record["row"])
            columns["state"].append(STATE_PENDING if pending else STATE_OK)
            columns["key_ok"].append(True)
            columns["extras"].append(json.dumps(record.get("extras") or {}))
            columns["pending_kind"].append(pending)
            columns["pending_raw"].append(_raw_json(by_row[record["row"]]) if pending else None)
            for name in fields:
                value = record.get(name)
                if name == "certifications":
                    value = json.dumps(value if value is not None else [])
                columns[name].append(value)
        frame = pl.DataFrame(columns, schema=chunk_schema(kind))
        first = start == 0
        yield Chunk(frame, list(errors) if first else [], total if first else 0)


def _raw_json(row: RawRow) -> str:
    """The row as the official wrote it (cells as text), to be checked again once mapped."""
    return json.dumps(
        {
            "values": {k: show(v) if v is not None else None for k, v in row.values.items()},
            "extras": {k: show(v) for k, v in row.extras.items()},
        },
        ensure_ascii=False,
    )


# --- a CSV chunk: raw cells to a frame --------------------------------------------------------

_CONTROL_CLASS = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\x{200E}\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}]"


def _clean(series: pl.Series) -> pl.Series:
    """Cells as :func:`huiqi.registry.reader._cell` leaves them: control characters removed,
    surrounding spaces stripped, empty text None."""
    dirty = series.str.contains(_CONTROL_CLASS).fill_null(False)
    if dirty.any():
        values = series.to_list()
        for i in dirty.arg_true().to_list():
            values[i] = clean_text(values[i])
        series = pl.Series(series.name, values, dtype=pl.String)
    series = series.str.strip_chars(_STRIP)
    return pl.when(series.str.len_bytes() > 0).then(series).otherwise(None).alias(series.name)  # type: ignore[return-value]


def _raw_frame(batch: list[tuple[int, list[str]]], stream: TableStream) -> pl.DataFrame:
    """The non-blank rows of ``batch``: ``row``, one column per mapped column, ``x:HEADER`` per
    extra column; cells cleaned."""
    width = max([*stream.columns, *stream.extras, -1]) + 1
    columns: dict[str, pl.Series] = {}
    named = [(i, name) for i, name in stream.columns.items()] + [
        (i, f"x:{h}") for i, h in stream.extras.items()
    ]
    frame = pl.DataFrame({"row": [n for n, _ in batch]}, schema={"row": pl.Int64})
    lines = [cells for _, cells in batch]
    if lines and min(map(len, lines)) >= width:  # the usual case: transposed at C speed
        transposed = list(zip(*lines, strict=False))
        for i, name in named:
            columns[name] = pl.Series(name, transposed[i], dtype=pl.String)
    else:
        for i, name in named:
            values = [cells[i] if i < len(cells) else None for cells in lines]
            columns[name] = pl.Series(name, values, dtype=pl.String)
    if columns:
        frame = pl.concat([frame, pl.select(*(_clean(s) for s in columns.values()))], how="horizontal")
    # a cell beyond the header's width makes a row not blank, though it is no column
    if lines and max(map(len, lines)) > width:
        beyond = [
            any(c.strip(_STRIP) and clean_text(c).strip(_STRIP) for c in cells[width:]) for cells in lines
        ]
    else:
        beyond = [False] * len(lines)
    present = pl.any_horizontal(*(pl.col(c).is_not_null() for c in columns)) if columns else pl.lit(False)
    return (
        frame.with_columns(_beyond=pl.Series(beyond, dtype=pl.Boolean))
        .filter(present | pl.col("_beyond"))
        .drop("_beyond")
    )


# --- checking a chunk -------------------------------------------------------------------------


class _Raw:
    """A cell the table checks show in an error: the row's own cell is put in later."""

    def __init__(self, column: str) -> None:
        self.column = column

    def __str__(self) -> str:
        return f"\x00raw:{self.column}\x00"


class ChunkChecker:
    """The checks of :func:`huiqi.registry.validate.validate` over frames of raw cells."""

    def __init__(self, stream: TableStream, memo: _Memo) -> None:
        self.stream = stream
        self.spec: TableSpec = stream.spec
        self.memo = memo
        self.kind = stream.kind
        self.today = dt.date.today()
        self._parsed: dict[tuple[str, Any], tuple[Any, str | None]] = {}
        self._checked: dict[tuple, tuple[dict[str, Any], list[tuple[str, str, Any]]]] = {}
        self._header = {c.name: stream.header(c.name) for c in self.spec.columns}

    # the frame under check: raw cells (String), parsed parts, per-column failure flags
    def check(self, raw: pl.DataFrame) -> Chunk:
        self.raw = raw
        self.out: dict[str, pl.Series] = {}
        self.failed: dict[str, pl.Series] = {}
        self.errors: list[pl.DataFrame] = []
        for column in self.spec.columns:
            self._parse_column(column)
        self._table_checks()
        return self._finish()

    # -- errors ---------------------------------------------------------------------------------
    def _fail(
        self, column: str, mask: pl.Series, reason: pl.Series | str, value: pl.Series | str | None = None
    ) -> None:
        """Record an error against ``column`` on the rows of ``mask`` (the raw cell is shown
        unless ``value`` is given)."""
        mask = mask.fill_null(False)
        if not mask.any():
            return
        if value is None:
            value = self._raw(column).fill_null("")
        parts = {
            "row": self.raw["row"],
            "reason": reason if isinstance(reason, pl.Series) else pl.Series([reason] * self.raw.height),
            "value": value if isinstance(value, pl.Series) else pl.Series([value] * self.raw.height),
        }
        frame = pl.DataFrame(parts, schema={"row": pl.Int64, "reason": pl.String, "value": pl.String}).filter(
            mask
        )
        self.errors.append(frame.with_columns(field=pl.lit(column)))
        flags = self.failed.get(column)
        self.failed[column] = mask if flags is None else (flags | mask)

    def _raw(self, column: str) -> pl.Series:
        if column in self.raw.columns:
            return self.raw[column]
        return pl.Series(column, [None] * self.raw.height, dtype=pl.String)

    def _is_failed(self, column: str) -> pl.Series:
        flags = self.failed.get(column)
        return flags if flags is not None else pl.Series([False] * self.raw.height)

    # -- cells ----------------------------------------------------------------------------------
    def _parse_column(self, column: Column) -> None:
        raw = self._raw(column.name)
        empty = raw.is_null()
        if column.required:
            self._fail(column.name, empty, "必填项为空", "")
        fast = _FAST.get(column.type)
        if fast is not None:
            values, done = fast(raw)
        else:
            values, done = None, pl.Series([False] * raw.len())
        slow = ~done & ~empty
        parts, reasons = self._slow(column, raw, slow)
        if values is not None:
            first = parts[0]
            parts[0] = pl.select(pl.when(done).then(values).otherwise(first)).to_series().alias(column.name)
        self._fail(column.name, reasons.is_not_null(), reasons)
        ok = reasons.is_null()
        if column.name in PAST_DATES:
            late = ok & (parts[0] > self.today).fill_null(False)
            zh = column.zh
            self._fail(column.name, late, f"{zh}晚于今天({self.today.isoformat()}),请检查")
        for index, part in enumerate(parts):
            name = column.name if index == 0 else f"{column.name}:{index}"
            self.out[name] = pl.select(pl.when(ok).then(part).otherwise(None)).to_series().alias(name)

    def _slow(self, column: Column, raw: pl.Series, mask: pl.Series) -> tuple[list[pl.Series], pl.Series]:
        """Parse the distinct values of ``raw`` under ``mask`` with the row parser."""
        dtypes = _PART_TYPES[column.type]
        parser = _PARSERS[column.type]
        height = raw.len()
        if not mask.any():
            parts = [pl.Series([None] * height, dtype=t) for t in dtypes]
            return parts, pl.Series([None] * height, dtype=pl.String)
        distinct = raw.filter(mask).unique().to_list()
        keys, answers, reasons = [], [[] for _ in dtypes], []
        for value in distinct:
            memo_key = (column.type, value)
            answer = self._parsed.get(memo_key)
            if answer is None:
                try:
                    answer = (_parts(column.type, parser(value)), None)
                except ValueError as exc:
                    answer = (None, str(exc))
                if len(self._parsed) > 200_000:
                    self._parsed.clear()
                self._parsed[memo_key] = answer
            keys.append(value)
            result, reason = answer
            for index in range(len(dtypes)):
                answers[index].append(None if result is None else result[index])
            reasons.append(reason)
        table = pl.DataFrame(
            {"_k": keys, "_reason": reasons, **{f"_p{i}": a for i, a in enumerate(answers)}},
            schema={"_k": pl.String, "_reason": pl.String, **{f"_p{i}": t for i, t in enumerate(dtypes)}},
        )
        joined = pl.DataFrame({"_k": raw, "_m": mask}).join(table, on="_k", how="left", maintain_order="left")
        joined = joined.with_columns(
            *(pl.when(pl.col("_m")).then(pl.col(c)).otherwise(None).alias(c) for c in table.columns[1:])
        )
        return [joined[f"_p{i}"] for i in range(len(dtypes))], joined["_reason"]

    # -- table checks ----------------------------------------------------------------------------
    def _table_checks(self) -> None:
        if self.kind == "metrics":
            self._check_metrics()
            return
        if self.kind == "recognitions":
            granted, expires = self.out["granted_on"], self.out["expires_on"]
            self._fail("expires_on", (expires < granted).fill_null(False), "有效期至早于认定日期")
            self.out["review"] = self.out["review"].fill_null(False)
        reads = _CHECK_READS[self.kind]
        self._combinations(reads)

    def _combinations(self, reads: tuple[str, ...]) -> None:
        """Run the table's row check once per distinct combination of what it reads."""
        check = _TABLE_CHECKS[self.kind]
        inputs = pl.DataFrame(
            {
                **{f"v:{c}": self._record_input(c) for c in reads},
                **{f"f:{c}": self._is_failed(c) for c in reads},
            }
        )
        distinct = inputs.unique(maintain_order=True)
        results: list[dict[str, Any]] = []
        writes = _CHECK_WRITES[self.kind]
        error_rows: list[tuple[int, str, str, Any]] = []
        for index, combo in enumerate(distinct.iter_rows(named=True)):
            values = {c: combo[f"v:{c}"] for c in reads}
            failed = frozenset(c for c in reads if combo[f"f:{c}"])
            key = (self.kind, tuple(values.items()), failed)
            answer = self._checked.get(key)
            if answer is None:
                answer = self._probe(check, values, failed)
                if len(self._checked) > 100_000:
                    self._checked.clear()
                self._checked[key] = answer
            record, errors = answer
            results.append({f"w:{c}": record.get(c) for c in writes})
            error_rows.extend((index, *e) for e in errors)
        write_types = {f"w:{c}": _record_type(self.kind, c) for c in writes}
        table = (
            pl.DataFrame(results, schema=write_types, orient="row")
            if results
            else pl.DataFrame(schema=write_types)
        )
        table = table.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_combo"))
        keys = distinct.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_combo"))
        joined = inputs.join(
            keys, on=inputs.columns, how="left", nulls_equal=True, maintain_order="left"
        ).join(table, on="_combo", how="left", maintain_order="left")
        for c in writes:
            self.out[c] = joined[f"w:{c}"].alias(c)
        combos = joined["_combo"]
        for index, column, reason, value in error_rows:
            mask = combos == index
            shown = value if not isinstance(value, _Raw) else None
            self._fail(column, mask, reason, shown if shown is None else show(shown))

    def _record_input(self, column: str) -> pl.Series:
        if column == "size":
            return self.out["scale:1"].alias("size")
        return self.out[column]

    def _probe(self, check: Callable, values: dict[str, Any], failed: frozenset[str]) -> tuple:
        raw_values = {c.name: _Raw(c.name) for c in self.spec.columns}
        probe_table = _ProbeTable(self.kind, self._header)
        row_check = _RowCheck(probe_table, RawRow(0, raw_values))  # type: ignore[arg-type]
        record = {**_PROBE_DEFAULTS.get(self.kind, {}), **values}
        if "size" in record:
            scale, size = record["scale"], record.pop("size")
            record["scale"] = None if scale is None and size is None else (scale, size)
        row_check.record = record
        row_check.failed = set(failed)
        check(row_check, self.memo)
        errors = []
        for error in row_check.errors:
            marker = error.value
            value: Any = next((v for v in raw_values.values() if str(v) == marker), marker)
            errors.append((error.field, error.reason, value))
        return dict(row_check.record), errors

    def _check_metrics(self) -> None:
        """The metrics check (:func:`huiqi.registry.validate._check_metric`): units per distinct
        combination, the figure itself as a column."""
        number = self.out["value"]
        inputs = pl.DataFrame(
            {
                "indicator": self.out["indicator"],
                "named_unit": self.out["indicator:1"],
                "value_unit": self.out["value:1"],
                "has_value": number.is_not_null(),
                "unit": self.out["unit"],
                **{f"f:{c}": self._is_failed(c) for c in ("indicator", "value", "unit")},
            }
        )
        distinct = inputs.unique(maintain_order=True)
        rows = []
        error_rows = []
        check = _TABLE_CHECKS["metrics"]
        for index, combo in enumerate(distinct.iter_rows(named=True)):
            record: dict[str, Any] = {
                "indicator": (combo["indicator"], combo["named_unit"]) if combo["indicator"] else None,
                "value": (1.0, combo["value_unit"]) if combo["has_value"] else None,
                "unit": combo["unit"],
            }
            failed = {c for c in ("indicator", "value", "unit") if combo[f"f:{c}"]}
            probe = _RowCheck(_ProbeTable("metrics", self._header), RawRow(0, {}))  # type: ignore[arg-type]
            probe.record, probe.failed = record, set(failed)
            check(probe, self.memo)
            factor = probe.record["value"] if combo["has_value"] and combo["indicator"] else 1.0
            rows.append(
                {
                    "indicator_out": probe.record["indicator"] if combo["indicator"] else None,
                    "unit_out": probe.record.get("unit"),
                    "factor": float(factor) if isinstance(factor, int | float) else 1.0,
                    "value_failed": "value" in probe.failed,
                    "expected": INDICATOR_UNITS.get(probe.record["indicator"])
                    if combo["indicator"]
                    else None,
                }
            )
            error_rows.extend((index, e.field, e.reason) for e in probe.errors)
        table = pl.DataFrame(
            rows,
            schema={
                "indicator_out": pl.String,
                "unit_out": pl.String,
                "factor": pl.Float64,
                "value_failed": pl.Boolean,
                "expected": pl.String,
            },
            orient="row",
        ).with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_combo"))
        keys = distinct.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_combo"))
        joined = inputs.join(
            keys, on=inputs.columns, how="left", nulls_equal=True, maintain_order="left"
        ).join(table, on="_combo", how="left", maintain_order="left")
        combos = joined["_combo"]
        for index, column, reason in error_rows:
            self._fail(column, combos == index, reason)
        has_indicator = joined["indicator"].is_not_null()
        self.out["indicator"] = joined["indicator_out"].alias("indicator")
        self.out["unit"] = (
            pl.select(pl.when(has_indicator).then(joined["unit_out"]).otherwise(self.out["unit"]))
            .to_series()
            .alias("unit")
        )
        scaled = pl.select(
            pl.when(has_indicator).then(number * joined["factor"]).otherwise(number)
        ).to_series()
        too_big = (scaled.abs() > MAX_METRIC).fill_null(False) & has_indicator
        self._fail("value", too_big, f"数值过大(超过{MAX_METRIC:,.0f}),请检查")
        self.out["value"] = scaled.alias("value")
        live = has_indicator & number.is_not_null() & ~self._is_failed("value") & ~joined["value_failed"]
        people = joined["expected"] == "人"
        fraction = (scaled != scaled.floor()).fill_null(False)
        self._fail("value", live & people & fraction, "人数应为整数")
        negative = (scaled < 0).fill_null(False) & ~joined["indicator_out"].is_in(["利润总额", "工业增加值"])
        self._fail("value", live & ~people.fill_null(False) & negative, "不能为负数")

    # -- the chunk's records ---------------------------------------------------------------------
    def _finish(self) -> Chunk:
        height = self.raw.height
        kind = self.kind
        errors = (
            pl.concat(self.errors)
            if self.errors
            else pl.DataFrame(
                schema={"row": pl.Int64, "reason": pl.String, "value": pl.String, "field": pl.String}
            )
        )
        bad_rows = errors["row"].unique()
        refused = self.raw["row"].is_in(bad_rows.implode())
        key_failed = pl.Series([False] * height)
        record_id = self.out.get("record_id")
        for column in self.spec.key:
            key_failed = key_failed | self._is_failed(column)
        if record_id is not None:
            by_id = record_id.is_not_null()
            id_failed = self._is_failed("uscc") | self._is_failed("record_id")
            key_failed = pl.select(pl.when(by_id).then(id_failed).otherwise(key_failed)).to_series()
        pending = self.out.get("pending_kind")
        if pending is None:
            pending = pl.Series([None] * height, dtype=pl.String)
        state = pl.select(
            pl.when(refused)
            .then(pl.lit(STATE_REFUSED, pl.Int8))
            .when(pending.is_not_null())
            .then(pl.lit(STATE_PENDING, pl.Int8))
            .otherwise(pl.lit(STATE_OK, pl.Int8))
        ).to_series()
        columns: dict[str, pl.Series] = {
            "row": self.raw["row"],
            "state": state,
            "key_ok": ~key_failed,
            "extras": self._extras(),
            "pending_kind": pending,
            "pending_raw": self._pending_raw(pending),
        }
        for name, dtype in FIELDS[kind].items():
            series = self.out.get(name)
            if name == "certifications":
                series = self._certifications()
            elif series is None:
                series = pl.Series([None] * height, dtype=dtype)
            columns[name] = series.cast(dtype).alias(name)
        frame = pl.DataFrame(columns, schema=chunk_schema(kind))
        row_errors = [
            RowError(row, self._header.get(f, f), value, reason, f)
            for row, reason, value, f in errors.sort("row", maintain_order=True).iter_rows()
        ]
        return Chunk(frame, row_errors, height)

    def _extras(self) -> pl.Series:
        names = [c for c in self.raw.columns if c.startswith("x:")]
        if not names:
            return pl.Series("extras", ["{}"] * self.raw.height, dtype=pl.String)
        headers = [n[2:] for n in names]
        lists = [self.raw[n].to_list() for n in names]
        out = []
        for cells in zip(*lists, strict=True):
            out.append(json.dumps({h: v for h, v in zip(headers, cells, strict=True) if v is not None}))
        return pl.Series("extras", out, dtype=pl.String)

    def _pending_raw(self, pending: pl.Series) -> pl.Series:
        mask = pending.is_not_null()
        if not mask.any():
            return pl.Series("pending_raw", [None] * self.raw.height, dtype=pl.String)
        out: list[str | None] = [None] * self.raw.height
        mapped = [c.name for c in self.spec.columns if c.name in self.stream.headers]
        extras = [c for c in self.raw.columns if c.startswith("x:")]
        for i in mask.arg_true().to_list():
            values = {c: self.raw[c][i] for c in mapped}
            extra = {c[2:]: self.raw[c][i] for c in extras if self.raw[c][i] is not None}
            out[i] = _raw_json(RawRow(int(self.raw["row"][i]), values, extra))
        return pl.Series("pending_raw", out, dtype=pl.String)

    def _certifications(self) -> pl.Series:
        values = self.out.get("certifications")
        if values is None:
            return pl.Series("certifications", ["[]"] * self.raw.height, dtype=pl.String)
        return values.fill_null("[]").alias("certifications")


class _ProbeTable:
    """What a row check needs of its table: the kind and the headers."""

    def __init__(self, kind: str, headers: dict[str, str]) -> None:
        self.kind = kind
        self._headers = headers

    def header(self, column: str) -> str:
        return self._headers.get(column, column)


# --- fast paths: the common spellings, as columns ---------------------------------------------

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _fast_uscc(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Codes already in their clean form whose check character is right (GB 32100-2015).

    A figures or events file names each enterprise many times, so the check digit is computed
    once per distinct code and joined back to the rows."""
    distinct = raw.unique()
    if distinct.len() * 2 > raw.len():
        return _uscc_digits(raw)
    upper, done = _uscc_digits(distinct)
    table = pl.DataFrame({"raw": distinct, "upper": upper, "done": done})
    joined = raw.to_frame("raw").join(table, on="raw", how="left", nulls_equal=True, maintain_order="left")
    return joined["upper"], joined["done"].fill_null(False)


def _uscc_digits(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    upper = raw.str.to_uppercase()
    shaped = upper.str.contains(r"^[0-9]{8}[0-9A-HJ-NP-RTUWXY]{10}$").fill_null(False)
    values = {c: i for i, c in enumerate(_USCC_ALPHABET)}
    frame = pl.DataFrame({"c": pl.select(pl.when(shaped).then(upper)).to_series()})
    total = pl.lit(0, pl.Int64)
    for position, weight in enumerate(_USCC_WEIGHTS):
        char = pl.col("c").str.slice(position, 1)
        total = total + char.replace_strict(values, default=0, return_dtype=pl.Int64) * weight
    expected = ((31 - total) % 31).replace_strict(dict(enumerate(_USCC_ALPHABET)), return_dtype=pl.String)
    good = frame.select((pl.col("c").str.slice(17, 1) == expected).fill_null(False)).to_series()
    done = shaped & good
    return upper, done


def _fast_text(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Text without any space inside is already what :func:`parse_text` makes of it."""
    return raw, ~raw.str.contains(r"\s").fill_null(True)


def _fast_date(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    iso = raw.str.contains(r"^\d{4}-\d{2}-\d{2}$").fill_null(False)
    dates = pl.select(pl.when(iso).then(raw)).to_series().str.to_date("%Y-%m-%d", strict=False)
    year = dates.dt.year()
    done = (dates.is_not_null() & (year >= 1900) & (year <= 2100)).fill_null(False)
    return dates, done


def _fast_amount(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    plain = raw.str.contains(r"^\d{1,9}(?:\.\d{1,6})?$").fill_null(False)
    values = pl.select(pl.when(plain).then(raw)).to_series().cast(pl.Float64, strict=False)
    done = plain & (values <= MAX_MONEY_WAN).fill_null(False)
    return values, done


def _fast_count(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    plain = raw.str.contains(r"^\d{1,10}$").fill_null(False)
    values = pl.select(pl.when(plain).then(raw)).to_series().cast(pl.Int64, strict=False)
    done = plain & (values <= MAX_COUNT).fill_null(False)
    return values, done


def _fast_number(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    plain = raw.str.contains(r"^-?\d{1,13}(?:\.\d{1,12})?$").fill_null(False)
    values = pl.select(pl.when(plain).then(raw)).to_series().cast(pl.Float64, strict=False)
    done = plain & (values.abs() <= MAX_METRIC).fill_null(False)
    return values, done


def _fast_period(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    year = raw.str.slice(0, 4).cast(pl.Int32, strict=False)
    sane = ((year >= 1900) & (year <= 2100)).fill_null(False)
    annual = raw.str.contains(r"^\d{4}$").fill_null(False)
    month = raw.str.slice(5, 2).cast(pl.Int32, strict=False)
    monthly = raw.str.contains(r"^\d{4}-\d{2}$").fill_null(False) & ((month >= 1) & (month <= 12)).fill_null(
        False
    )
    return raw, sane & (annual | monthly)


_FAST: dict[str, Callable[[pl.Series], tuple[pl.Series, pl.Series]]] = {
    "uscc": _fast_uscc,
    "text": _fast_text,
    "kind": _fast_text,
    "date": _fast_date,
    "amount": _fast_amount,
    "count": _fast_count,
    "number": _fast_number,
    "period": _fast_period,
}

# What each parser's answer is, split into parts (the first part keeps the column's name).
_PART_TYPES: dict[str, list[pl.DataType]] = {
    "uscc": [pl.String()],
    "text": [pl.String()],
    "kind": [pl.String()],
    "region": [pl.String()],
    "industry": [pl.String()],
    "scale": [pl.String(), pl.String()],
    "date": [pl.Date()],
    "bool": [pl.Boolean()],
    "amount": [pl.Float64()],
    "count": [pl.Int64()],
    "number": [pl.Float64(), pl.String()],
    "period": [pl.String()],
    "indicator": [pl.String(), pl.String()],
    "unit": [pl.String()],
    "level": [pl.String()],
    "certifications": [pl.String()],
}


def _parts(kind: str, value: Any) -> tuple[Any, ...]:
    if kind in ("scale", "number", "indicator"):
        return tuple(value)
    if kind == "date" and isinstance(value, dt.datetime):
        return (value.date(),)
    if kind == "certifications":
        return (json.dumps(value),)
    if kind == "number":
        return value
    return (value,)


# The record fields each table check reads, and those it writes.
_CHECK_READS: dict[str, tuple[str, ...]] = {
    "enterprises": ("scale", "size", "region_code"),
    "recognitions": ("kind", "level"),
    "events": ("kind", "level", "detail"),
    "products": ("name",),
    "demands": ("buyer",),
}
_PROBE_DEFAULTS: dict[str, dict[str, Any]] = {
    "recognitions": {"review": False, "granted_on": None, "expires_on": None},
}
_CHECK_WRITES: dict[str, tuple[str, ...]] = {
    "enterprises": ("scale", "size"),
    "recognitions": ("kind", "level", "pending_kind"),
    "events": ("kind", "level", "pending_kind"),
    "products": ("name",),
    "demands": ("buyer", "buyer_uscc"),
}


def _record_type(kind: str, column: str) -> pl.DataType:
    if column == "pending_kind":
        return pl.String()
    return FIELDS[kind].get(column, pl.String())


# kept for the checks' imports (a buyer's code is split the same way everywhere)
_ = (split_buyer, full_region_name, is_registration_level)
