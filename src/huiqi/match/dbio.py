"""Columns in and out of the database in bulk (列式读写): queries read as Arrow, frames written
with one prepared statement per batch (SQLite) or ``COPY`` (PostgreSQL).

Reading PostgreSQL goes through ADBC (Arrow Database Connectivity, ``adbc-driver-postgresql``),
which hands over whole columns instead of Python rows; SQLite is read in batches of rows turned
into columns at once (see :func:`read_frame`). SQLite keeps dates as text and booleans as
integers; :func:`read_frame` casts them to the dtypes asked for. Writing turns a
frame into the database's bulk path inside the caller's transaction.
"""

from __future__ import annotations

import io
import json
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine
from sqlalchemy.sql import Select


def _sql(engine: Engine, query: Select | str) -> str:
    if isinstance(query, str):
        return query
    return str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


def _adbc(engine: Engine):
    import adbc_driver_postgresql.dbapi as driver

    return driver.connect(engine.url.set(drivername="postgresql").render_as_string(hide_password=False))


def read_frame(engine: Engine, query: Select | str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The rows of ``query`` as a frame with the columns and dtypes of ``schema`` (in its order).

    PostgreSQL is read through ADBC (``COPY`` in binary, straight into Arrow columns). SQLite is
    read through Python's own sqlite3 module a batch of rows at a time, each batch turned into
    columns at once: a second SQLite library in the same process (as an ADBC or connectorx
    driver would bring) would release the first one's file locks when it closes the file.
    """
    sql = _sql(engine, query)
    if engine.dialect.name == "postgresql":
        with _adbc(engine) as conn, conn.cursor() as cursor:
            cursor.execute(sql)
            frame = pl.from_arrow(cursor.fetch_arrow_table())
        assert isinstance(frame, pl.DataFrame)
        return frame.select(_cast(frame, name, dtype) for name, dtype in schema.items())
    stored = {name: _storage(dtype) for name, dtype in schema.items()}
    parts = []
    with engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(sql)
            names = [d[0] for d in cursor.description]
            while rows := cursor.fetchmany(250_000):
                columns = list(zip(*rows, strict=True))
                parts.append(
                    pl.DataFrame(
                        [
                            pl.Series(n, c, dtype=stored.get(n), strict=False)
                            for n, c in zip(names, columns, strict=True)
                        ]
                    )
                )
        finally:
            cursor.close()
    frame = pl.concat(parts) if parts else pl.DataFrame(schema=stored)
    return frame.select(_cast(frame, name, dtype) for name, dtype in schema.items())


def _storage(dtype: Any) -> Any:
    """How SQLite hands a column over: dates as text, booleans as integers."""
    if dtype == pl.Date:
        return pl.String
    if dtype == pl.Boolean:
        return pl.Int64
    return dtype


def _cast(frame: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if name not in frame.columns:
        return pl.lit(None, dtype).alias(name)
    have = frame.schema[name]
    if dtype == pl.Date and have == pl.String:
        return column.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).alias(name)
    if have == pl.Null:
        return column.cast(dtype).alias(name)
    return column.cast(dtype, strict=False).alias(name)


def write_frame(conn: Connection, table: str, frame: pl.DataFrame, json_columns: tuple[str, ...] = ()) -> int:
    """Insert every row of ``frame`` into ``table`` (columns by name) inside ``conn``'s transaction.

    ``json_columns`` hold Python objects (lists, structs) written as JSON text.
    """
    if frame.is_empty():
        return 0
    frame = frame.with_columns(
        pl.Series(name, [json.dumps(v, ensure_ascii=False) for v in frame[name].to_list()], dtype=pl.String)
        for name in json_columns
    )
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    raw: Any = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        buffer = io.BytesIO()
        frame.write_csv(buffer, include_header=False, date_format="%Y-%m-%d")
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        return frame.height
    frame = frame.with_columns(
        *(pl.col(c).cast(pl.String) for c, t in frame.schema.items() if t == pl.Date),
        *(pl.col(c).cast(pl.Int8) for c, t in frame.schema.items() if t == pl.Boolean),
    )
    marks = ", ".join("?" for _ in frame.columns)
    cursor = raw.cursor()
    try:
        for batch in frame.iter_slices(100_000):
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch.rows())
    finally:
        cursor.close()
    return frame.height
