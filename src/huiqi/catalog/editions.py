"""Catalog editions (目录版次): 优势工业产品目录 2025年版, 政府首购创新产品目录 ….

An officer creates an edition of a catalog (``data/catalog.toml`` names the catalogs and their
default 遴选标准 and length) for a region, with its criteria and dates; proposes candidates
(products of the region found by search, filters and all); selects products into it while it is
a draft (草稿); publishes it (已发布), after which nothing is added — a listed product can still
be taken out (退出, e.g. 强制退出 after a quality problem), with the reason kept. A published
edition is exported as Excel (:mod:`huiqi.catalog.export`).

Listing becomes a fact the matcher can use: :func:`catalog_facts` returns the listed products'
makers as rows shaped like recognitions (``uscc, kind, level, granted_on, review, expires_on``:
kind the catalog's name, level from the issuing region — 省级, 市级 or 区县级 — granted on the
publication day, valid to the edition's end or the day the product left). The search index
shows a listed product under the catalog's name while the edition is in force.

Every change runs under the database's writer lock in one transaction; the affected
enterprises are re-indexed in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import Connection, Engine, func, insert, select, update

from huiqi.catalog.errors import CatalogError, NotFoundError
from huiqi.catalog.index import PRODUCT, reindex_enterprises
from huiqi.catalog.vocab import catalogs, resolve_catalog, settings
from huiqi.db.locks import writer_lock
from huiqi.db.models import CatalogEdition, CatalogEntry, Enterprise, Product
from huiqi.registry.codes import region_level, region_name, region_prefix

DRAFT, PUBLISHED = "草稿", "已发布"
LEVEL_OF_REGION = {"province": "省级", "city": "市级", "county": "区县级"}


@dataclass
class EditionInfo:
    """An edition with how many products it lists (and has taken out)."""

    id: int
    catalog: str
    edition: str
    region_code: str
    criteria: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    status: str
    published_on: dt.date | None
    listed: int = 0
    removed: int = 0

    @property
    def title(self) -> str:
        """The edition's name as printed: 《济南市优势工业产品目录(2025年版)》."""
        return f"《{_place(self.region_code)}{self.catalog}({self.edition})》"

    @property
    def level(self) -> str:
        return LEVEL_OF_REGION.get(_level(self.region_code), "")

    def to_dict(self) -> dict:
        return {**self.__dict__, "title": self.title, "level": self.level}


@dataclass
class AddOutcome:
    """Products selected, already in the edition, and refused (product id → reason)."""

    added: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def _place(code: str) -> str:
    try:
        return region_name(code)
    except KeyError:
        return code


def _level(code: str) -> str:
    try:
        return region_level(code)
    except KeyError:
        return ""


def _info(conn: Connection, edition: CatalogEdition) -> EditionInfo:
    counts = dict(
        conn.execute(
            select(CatalogEntry.removed_on.is_(None), func.count())
            .where(CatalogEntry.edition_id == edition.id)
            .group_by(CatalogEntry.removed_on.is_(None))
        ).all()
    )
    return edition_info(edition, int(counts.get(True, 0)), int(counts.get(False, 0)))


def edition_info(edition: CatalogEdition, listed: int = 0, removed: int = 0) -> EditionInfo:
    """An edition row as :class:`EditionInfo`, with the counts of products listed and taken out
    when the caller has them."""
    return EditionInfo(
        edition.id,
        edition.catalog,
        edition.edition,
        edition.region_code,
        edition.criteria,
        edition.valid_from,
        edition.valid_to,
        edition.status,
        edition.published_on,
        listed,
        removed,
    )


def _edition(conn: Connection, edition_id: int) -> CatalogEdition:
    row = conn.execute(select(CatalogEdition).where(CatalogEdition.id == int(edition_id))).first()
    if row is None:
        raise NotFoundError(f"没有编号为{edition_id}的目录版次(huiqi catalog list 查看)")
    return CatalogEdition(**row._mapping)


def _region(text: str) -> str:
    from huiqi.catalog.search import region_facet

    return region_facet(text)[1]


def create_edition(
    engine: Engine,
    catalog: str,
    edition: str,
    region: str,
    criteria: str | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> EditionInfo:
    """A new draft edition; the criteria and length default to the catalog's (``catalog.toml``)."""
    name = resolve_catalog(catalog)
    if name is None:
        raise CatalogError(f"没有名为“{catalog}”的目录(可选:{'、'.join(catalogs())})")
    edition = (edition or "").strip()
    if not edition:
        raise CatalogError("请给出版次,如“2025年版”")
    code = _region(region)
    spec = settings().certifications[name]
    if valid_from and valid_to is None and spec.years:
        valid_to = dt.date(valid_from.year + spec.years, valid_from.month, 1) - dt.timedelta(days=1)
    if valid_from and valid_to and valid_to < valid_from:
        raise CatalogError("有效期止早于有效期起")
    with writer_lock(engine), engine.begin() as conn:
        exists = conn.execute(
            select(CatalogEdition.id).where(
                CatalogEdition.catalog == name,
                CatalogEdition.region_code == code,
                CatalogEdition.edition == edition,
            )
        ).scalar()
        if exists:
            raise CatalogError(f"{_place(code)}{name}({edition})已存在,编号{exists}")
        new_id = conn.execute(
            insert(CatalogEdition)
            .values(
                catalog=name,
                edition=edition,
                region_code=code,
                criteria=criteria or spec.criteria or None,
                valid_from=valid_from,
                valid_to=valid_to,
                status=DRAFT,
            )
            .returning(CatalogEdition.id)
        ).scalar_one()
        return _info(conn, _edition(conn, new_id))


def list_editions(engine: Engine) -> list[EditionInfo]:
    """Every edition, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(CatalogEdition).order_by(CatalogEdition.id.desc())).all()
        return [_info(conn, CatalogEdition(**r._mapping)) for r in rows]


def get_edition(engine: Engine, edition_id: int) -> EditionInfo:
    """One edition."""
    with engine.connect() as conn:
        return _info(conn, _edition(conn, edition_id))


def propose(engine: Engine, edition_id: int, query: str = "", limit: int = 50, **filters: str | None):
    """Candidate products for a draft edition: a search restricted to the edition's region (any
    other filter — industry, certification — as :func:`huiqi.catalog.search.search`)."""
    from huiqi.catalog.search import search

    info = get_edition(engine, edition_id)
    return search(engine, query, PRODUCT, region=info.region_code, limit=limit, **filters)


def add_products(
    engine: Engine,
    edition_id: int,
    product_ids: list[int],
    note: str | None = None,
    on: dt.date | None = None,
) -> AddOutcome:
    """Select products into a draft edition. A product must be live and made inside the
    edition's region; refused ones are listed with the reason, the others are added."""
    on = on or dt.date.today()
    outcome = AddOutcome()
    with writer_lock(engine), engine.begin() as conn:
        edition = _edition(conn, edition_id)
        if edition.status != DRAFT:
            raise CatalogError(f"目录版次{edition_id}已发布,不能再增加产品(可新建版次)")
        wanted = sorted({int(p) for p in product_ids})
        found = {
            r.id: r
            for r in conn.execute(
                select(Product.id, Product.uscc, Product.withdrawn_run_id, Enterprise.region_code)
                .join(Enterprise, Enterprise.uscc == Product.uscc)
                .where(Product.id.in_(wanted))
            )
        }
        stored = dict(
            conn.execute(
                select(CatalogEntry.product_id, CatalogEntry.removed_on).where(
                    CatalogEntry.edition_id == edition.id
                )
            ).all()
        )
        prefix = region_prefix(edition.region_code)
        rows = []
        for product_id in wanted:
            row = found.get(product_id)
            if row is None or row.withdrawn_run_id is not None:
                outcome.refused[product_id] = "没有该产品(或已撤回)"
            elif not row.region_code.startswith(prefix):
                outcome.refused[product_id] = f"生产企业不在{_place(edition.region_code)}"
            elif product_id in stored and stored[product_id] is None:
                outcome.already.append(product_id)
            elif product_id in stored:  # taken out of this draft before: selected again
                conn.execute(
                    update(CatalogEntry)
                    .where(CatalogEntry.edition_id == edition.id, CatalogEntry.product_id == product_id)
                    .values(added_on=on, note=note, removed_on=None, removed_reason=None)
                )
                outcome.added.append(product_id)
            else:
                rows.append(
                    {
                        "edition_id": edition.id,
                        "product_id": product_id,
                        "uscc": row.uscc,
                        "added_on": on,
                        "note": note,
                    }
                )
                outcome.added.append(product_id)
        if rows:
            conn.execute(insert(CatalogEntry), rows)
    return outcome


def remove_product(
    engine: Engine, edition_id: int, product_id: int, reason: str, on: dt.date | None = None
) -> None:
    """Take a product out of an edition (退出), keeping the row with the day and the reason. In a
    draft the selection is simply undone the same way."""
    if not (reason or "").strip():
        raise CatalogError("退出目录须写明原因")
    on = on or dt.date.today()
    with writer_lock(engine), engine.begin() as conn:
        edition = _edition(conn, edition_id)
        entry = conn.execute(
            select(CatalogEntry.id, CatalogEntry.uscc, CatalogEntry.removed_on).where(
                CatalogEntry.edition_id == edition.id, CatalogEntry.product_id == int(product_id)
            )
        ).first()
        if entry is None:
            raise NotFoundError(f"产品{product_id}不在目录版次{edition_id}中")
        if entry.removed_on is not None:
            raise CatalogError(f"产品{product_id}已于{entry.removed_on}退出该目录")
        conn.execute(
            update(CatalogEntry)
            .where(CatalogEntry.id == entry.id)
            .values(removed_on=on, removed_reason=reason.strip())
        )
        if edition.status == PUBLISHED:
            reindex_enterprises(conn, [entry.uscc])


def publish(engine: Engine, edition_id: int, on: dt.date | None = None) -> EditionInfo:
    """Publish a draft edition (from ``on``, default today; its validity starts then unless set)."""
    on = on or dt.date.today()
    with writer_lock(engine), engine.begin() as conn:
        edition = _edition(conn, edition_id)
        if edition.status == PUBLISHED:
            raise CatalogError(f"目录版次{edition_id}已于{edition.published_on}发布")
        usccs = list(
            conn.execute(
                select(CatalogEntry.uscc).where(
                    CatalogEntry.edition_id == edition.id, CatalogEntry.removed_on.is_(None)
                )
            ).scalars()
        )
        if not usccs:
            raise CatalogError("目录中还没有产品,不能发布(huiqi catalog add 选入产品)")
        values: dict = {"status": PUBLISHED, "published_on": on}
        if edition.valid_from is None:
            values["valid_from"] = on
            years = settings().certifications[edition.catalog].years
            if edition.valid_to is None and years:
                values["valid_to"] = dt.date(on.year + years, on.month, 1) - dt.timedelta(days=1)
        conn.execute(update(CatalogEdition).where(CatalogEdition.id == edition.id).values(**values))
        reindex_enterprises(conn, usccs)
        return _info(conn, _edition(conn, edition.id))


def entries(engine: Engine, edition_id: int) -> list[dict]:
    """The products of an edition with their makers, in the order they were selected."""
    query = (
        select(
            CatalogEntry.product_id,
            Product.name.label("product"),
            Product.category,
            Product.certifications,
            CatalogEntry.uscc,
            Enterprise.name.label("maker"),
            Enterprise.region_code,
            CatalogEntry.added_on,
            CatalogEntry.note,
            CatalogEntry.removed_on,
            CatalogEntry.removed_reason,
        )
        .join(Product, Product.id == CatalogEntry.product_id)
        .join(Enterprise, Enterprise.uscc == CatalogEntry.uscc)
        .where(CatalogEntry.edition_id == int(edition_id))
        .order_by(CatalogEntry.id)
    )
    with engine.connect() as conn:
        _edition(conn, edition_id)
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["region"] = _place(row["region_code"])
    return rows


FACT_SCHEMA = {
    "uscc": pl.String,
    "kind": pl.String,
    "level": pl.String,
    "granted_on": pl.Date,
    "review": pl.Boolean,
    "expires_on": pl.Date,
    "product_id": pl.Int64,
    "product": pl.String,
    "edition_id": pl.Int64,
    "edition": pl.String,
}


def catalog_facts(engine: Engine, on: dt.date | None = None) -> pl.DataFrame:
    """Listing in published catalogs as rows shaped like recognitions (see the module docstring).

    One row per listed product; ``on`` keeps only listings in force that day (None: all, with
    their dates, for the matcher's own windows).
    """
    query = (
        select(
            CatalogEntry.uscc,
            CatalogEdition.catalog,
            CatalogEdition.region_code,
            CatalogEdition.published_on,
            CatalogEdition.valid_from,
            CatalogEdition.valid_to,
            CatalogEntry.removed_on,
            CatalogEntry.product_id,
            Product.name,
            CatalogEdition.id,
            CatalogEdition.edition,
        )
        .join(CatalogEdition, CatalogEdition.id == CatalogEntry.edition_id)
        .join(Product, Product.id == CatalogEntry.product_id)
        .where(CatalogEdition.status == PUBLISHED)
        .order_by(CatalogEdition.id, CatalogEntry.id)
    )
    rows = []
    with engine.connect() as conn:
        for r in conn.execute(query):
            granted = max(d for d in (r.published_on, r.valid_from) if d is not None)
            ends = [
                d for d in (r.valid_to, r.removed_on - dt.timedelta(days=1) if r.removed_on else None) if d
            ]
            expires = min(ends) if ends else None
            if on is not None and (granted > on or (expires is not None and expires < on)):
                continue
            rows.append(
                {
                    "uscc": r.uscc,
                    "kind": r.catalog,
                    "level": LEVEL_OF_REGION.get(_level(r.region_code)),
                    "granted_on": granted,
                    "review": False,
                    "expires_on": expires,
                    "product_id": r.product_id,
                    "product": r.name,
                    "edition_id": r.id,
                    "edition": r.edition,
                }
            )
    return pl.DataFrame(rows, schema=FACT_SCHEMA)
