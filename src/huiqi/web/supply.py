"""产品库, 供需对接 and 产品目录 on the web: who may see and do what, the reads the API
(:mod:`huiqi.web.routes.catalog`) and the pages (:mod:`huiqi.web.pages.products`,
:mod:`huiqi.web.pages.catalogs`) share, the catalog editions' changes with their audit
entries, and the product platform's errors as the service's (one Chinese sentence, the field at
fault).

Who may do what (``docs/catalog.md``, "On the web"):

* anyone signed in searches products and enterprises, reads a product, the demands and the
  published catalog editions (信息共享: what the platform is for);
* a demand's ranked suppliers and its 对接清单: the buyer (an enterprise account holding the
  buyer's credit code), officers whose region overlaps the demand's (a city's officer sees a
  provincial demand and its districts' demands), finance, auditors and admins; anyone else gets
  404 — the matching is the officers' and the buyer's work, not a competitor's;
* the open demands a product could serve: whoever may see the maker's enterprise page (the
  maker itself, officers of its region, finance, auditors, admins), else 404;
* catalog editions: an officer creates and manages (proposes, selects, takes out, publishes) the
  editions of regions inside its own, an admin any; a draft is seen only by those who may manage
  it and by finance, auditors and admins (404 for the others); another role managing is 403;
* imports of products and demands: officers and admins, as on the 数据导入 page.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.orm import Session

from huiqi.accounts.scope import READ_ALL, sees_enterprise
from huiqi.accounts.users import Actor
from huiqi.audit.chain import record
from huiqi.catalog import editions
from huiqi.catalog.errors import CatalogError, NotFoundError
from huiqi.catalog.index import PRODUCT
from huiqi.catalog.vocab import catalogs as catalog_names
from huiqi.db.engine import session_scope
from huiqi.db.models import CatalogEdition, CatalogEntry, Demand, Enterprise, Product
from huiqi.errors import BusyError
from huiqi.payout.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from huiqi.registry.codes import full_region_name, industry_division_name, region_name, region_prefix

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MANAGERS = frozenset({"officer", "admin"})
_CLI_HINT = re.compile(r"[((][^()()]*huiqi [^()()]*[))]")


class Busy(ServiceError):
    """Another job holds the database's writer lock (an import, a rebuild of the search index)."""

    status = 503
    code = "database_busy"


# --------------------------------------------------------------------------- errors


def plain(message: str) -> str:
    """A catalog message without the command-line hint it carries for the terminal.

    >>> plain("目录中还没有产品,不能发布(huiqi catalog add 选入产品)")
    '目录中还没有产品,不能发布'
    """
    return _CLI_HINT.sub("", message).strip()


@contextmanager
def service_errors(field: str | None = None) -> Iterator[None]:
    """The product platform's errors as the service's: unknown → 404, unusable → 422, busy → 503."""
    try:
        yield
    except NotFoundError as exc:
        raise NotFound(plain(str(exc)), field) from None
    except CatalogError as exc:
        raise Invalid(plain(str(exc)), field) from None
    except BusyError:
        raise Busy("数据库正被另一个任务(导入或重建检索索引)占用,请稍后再试") from None


# --------------------------------------------------------------------------- places and words


def place(code: str | None) -> str:
    """A region's own name (历城区), or the code when unknown."""
    if not code:
        return "—"
    try:
        return region_name(code)
    except KeyError:
        return code


def full_place(code: str | None) -> str:
    """A region's full name (山东省济南市历城区), or the code when unknown."""
    if not code:
        return "—"
    try:
        return full_region_name(code)
    except KeyError:
        return code


def industry_text(code: str | None) -> str:
    """``C3421 通用设备制造业`` for an industry code, the code alone when unknown."""
    if not code:
        return "—"
    try:
        return f"{code} {industry_division_name(code)}"
    except Exception:  # an unknown or partial code is shown as written
        return code


def officer_region(actor: Actor) -> str | None:
    """The 行政区划代码 an officer's prefix stands for (3701 → 370100), None for other roles."""
    if actor.role != "officer" or not actor.region_prefix:
        return None
    return actor.region_prefix.ljust(6, "0")


# --------------------------------------------------------------------------- who may see what


def regions_overlap(prefix: str, region_code: str) -> bool:
    """Whether an officer's prefix and a region share ground (one inside the other).

    >>> regions_overlap("3701", "370000"), regions_overlap("3701", "370112"), regions_overlap("3701", "370700")
    (True, True, False)
    """
    try:
        other = region_prefix(region_code)
    except Exception:
        other = region_code
    return other.startswith(prefix) or prefix.startswith(other)


def sees_matches(actor: Actor, demand: Demand) -> bool:
    """Whether ``actor`` may see a demand's ranked suppliers (see the module docstring)."""
    if actor.role == "enterprise":
        return bool(demand.buyer_uscc) and demand.buyer_uscc == actor.uscc
    if actor.role == "officer":
        return regions_overlap(actor.region_prefix or "\0", demand.region_code)
    return actor.role in READ_ALL


def manages_region(actor: Actor, region_code: str) -> bool:
    """Whether ``actor`` may manage catalog editions of ``region_code``."""
    if actor.role == "admin":
        return True
    return actor.role == "officer" and region_code.startswith(actor.region_prefix or "\0")


def sees_edition(actor: Actor, status: str, region_code: str) -> bool:
    """Published editions are for everyone; a draft for those who manage it, finance, auditors, admins."""
    return status == editions.PUBLISHED or actor.role in READ_ALL or manages_region(actor, region_code)


# --------------------------------------------------------------------------- products


def product_or_404(session: Session, product_id: int) -> tuple[Product, Enterprise]:
    """A live product and its maker, or 404."""
    row = session.execute(
        select(Product, Enterprise)
        .join(Enterprise, Enterprise.uscc == Product.uscc)
        .where(Product.id == product_id, Product.withdrawn_run_id.is_(None))
    ).first()
    if row is None:
        raise NotFound(f"没有编号为 {product_id} 的产品(或已撤回)")
    return row[0], row[1]


def listings(session: Session, actor: Actor, product_id: int) -> list[dict[str, Any]]:
    """The catalog editions a product is (or was) in, that ``actor`` may see, newest first."""
    rows = session.execute(
        select(CatalogEntry, CatalogEdition)
        .join(CatalogEdition, CatalogEdition.id == CatalogEntry.edition_id)
        .where(CatalogEntry.product_id == product_id)
        .order_by(CatalogEdition.id.desc())
    ).all()
    today = dt.date.today()
    out = []
    for entry, edition in rows:
        if not sees_edition(actor, edition.status, edition.region_code):
            continue
        info = editions.edition_info(edition)
        in_force = (
            edition.status == editions.PUBLISHED
            and entry.removed_on is None
            and (info.valid_from is None or info.valid_from <= today)
            and (info.valid_to is None or today <= info.valid_to)
        )
        out.append(
            {
                "edition_id": edition.id,
                "title": info.title,
                "catalog": edition.catalog,
                "status": edition.status,
                "added_on": entry.added_on,
                "note": entry.note,
                "removed_on": entry.removed_on,
                "removed_reason": entry.removed_reason,
                "in_force": in_force,
            }
        )
    return out


def product_dict(session: Session, actor: Actor, product: Product, maker: Enterprise) -> dict[str, Any]:
    """A product as the API shows it (the shape of ``ProductOut``)."""
    return {
        "id": product.id,
        "number": product.record_id,
        "name": product.name,
        "category": product.category,
        "description": product.description,
        "capacity": product.capacity,
        "certifications": list(product.certifications or []),
        "uscc": maker.uscc,
        "maker": maker.name,
        "region_code": maker.region_code,
        "region": full_place(maker.region_code),
        "industry_code": maker.industry_code,
        "catalogs": listings(session, actor, product.id),
    }


def demands_for_product(engine: Engine, actor: Actor, product: Product, maker: Enterprise, limit: int):
    """The open demands a product could serve, for those who may see its maker (else 404)."""
    if not sees_enterprise(actor, maker.uscc, maker.region_code):
        raise NotFound("没有这个产品的对接结果,或它不在您可查看的范围内")
    from huiqi.catalog.matching import demands_for_product as run

    with service_errors():
        return run(engine, product.id, limit)


# --------------------------------------------------------------------------- demands


def is_open(demand: Demand, today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    return demand.withdrawn_run_id is None and (demand.deadline is None or demand.deadline >= today)


def demand_or_404(session: Session, demand_id: int) -> Demand:
    """A live demand by its stored number, or 404."""
    demand = session.get(Demand, demand_id)
    if demand is None or demand.withdrawn_run_id is not None:
        raise NotFound(f"没有编号为 {demand_id} 的需求(或已撤回)")
    return demand


def demand_dict(demand: Demand, today: dt.date | None = None) -> dict[str, Any]:
    """A demand as the API shows it (the shape of ``DemandOut``)."""
    today = today or dt.date.today()
    return {
        "id": demand.id,
        "demand_id": demand.demand_id,
        "buyer": demand.buyer,
        "buyer_uscc": demand.buyer_uscc,
        "title": demand.title,
        "description": demand.description,
        "category": demand.category,
        "region_code": demand.region_code,
        "region": full_place(demand.region_code),
        "deadline": demand.deadline,
        "open": is_open(demand, today),
        "days_left": (demand.deadline - today).days if demand.deadline else None,
    }


def region_filter(text: str) -> str:
    """The prefix of a region filter given as a code or a place name (济南 → 3701)."""
    from huiqi.catalog.search import region_facet

    with service_errors("region"):
        return region_prefix(region_facet(text)[1])


def demand_query(open_only: bool = True, region: str | None = None, text: str | None = None):
    """Live demands, open ones only by default, in a region (a prefix) and naming ``text``."""
    query = select(Demand).where(Demand.withdrawn_run_id.is_(None))
    if open_only:
        query = query.where(or_(Demand.deadline.is_(None), Demand.deadline >= dt.date.today()))
    if region:
        query = query.where(Demand.region_code.startswith(region, autoescape=True))
    if text and text.strip():
        words = text.strip()
        query = query.where(
            or_(
                Demand.title.contains(words, autoescape=True),
                Demand.buyer.contains(words, autoescape=True),
                Demand.demand_id.contains(words, autoescape=True),
            )
        )
    return query


def count(session: Session, query) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def matches_for_demand(engine: Engine, actor: Actor, demand: Demand, limit: int):
    """A demand's ranked suppliers with their reasons, for those who may see them (else 404)."""
    if not sees_matches(actor, demand):
        raise NotFound("没有这个需求的对接结果,或它不在您可查看的范围内")
    from huiqi.catalog.matching import match_demand

    with service_errors():
        return match_demand(engine, demand.id, limit)


def own_matches(engine: Engine, actor: Actor, demand: Demand) -> list:
    """An enterprise's own products that could serve a demand (without the others' ranking)."""
    from huiqi.catalog.matching import match_demand

    if actor.role != "enterprise" or not actor.uscc:
        return []
    with service_errors():
        result = match_demand(engine, demand.id, None)
    return [m for m in result.matches if m.uscc == actor.uscc]


def match_dict(match) -> dict[str, Any]:
    """One supplier (or one demand, the other way round) as the API shows it (``MatchOut``)."""
    return match.to_dict() | {"demand_key": match.demand_key, "region": full_place(match.region_code)}


def demand_workbook(engine: Engine, actor: Actor, demand: Demand, limit: int) -> tuple[bytes, str]:
    """The 对接清单 of one demand as an Excel workbook (its bytes and file name)."""
    from huiqi.catalog.export import write_demand_xlsx

    result = matches_for_demand(engine, actor, demand, limit)
    name = f"对接清单-{demand.demand_id}.xlsx"
    return _workbook(lambda path: write_demand_xlsx(result, path)), name


def _workbook(write) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        write(path)
        return path.read_bytes()


# --------------------------------------------------------------------------- catalog editions


def edition_dict(info: editions.EditionInfo) -> dict[str, Any]:
    """An edition as the API shows it (the shape of ``EditionOut``)."""
    return info.to_dict() | {"region": full_place(info.region_code)}


def visible_editions(engine: Engine, actor: Actor) -> list[editions.EditionInfo]:
    """The editions ``actor`` may see, newest first."""
    return [e for e in editions.list_editions(engine) if sees_edition(actor, e.status, e.region_code)]


def edition_for(engine: Engine, actor: Actor, edition_id: int) -> editions.EditionInfo:
    """An edition ``actor`` may see, or 404."""
    with service_errors():
        info = editions.get_edition(engine, edition_id)
    if not sees_edition(actor, info.status, info.region_code):
        raise NotFound(f"没有编号为{edition_id}的目录版次")
    return info


def managed_edition(engine: Engine, actor: Actor, edition_id: int) -> editions.EditionInfo:
    """An edition ``actor`` may manage: 403 for a role that manages none, 404 outside its region."""
    if actor.role not in MANAGERS:
        raise Forbidden("只有经办人员和管理员可以管理产品目录")
    info = edition_for(engine, actor, edition_id)
    if not manages_region(actor, info.region_code):
        raise NotFound(f"没有编号为{edition_id}的目录版次,或它不在您负责的地区")
    return info


def edition_entries(engine: Engine, edition_id: int) -> list[dict[str, Any]]:
    with service_errors():
        return editions.entries(engine, edition_id)


def edition_workbook(engine: Engine, info: editions.EditionInfo) -> tuple[bytes, str]:
    """An edition as the Excel it is published as (its bytes and file name)."""
    from huiqi.catalog.export import write_edition_xlsx

    rows = edition_entries(engine, info.id)
    name = f"{info.title.strip('《》')}.xlsx".replace("/", "-")
    return _workbook(lambda path: write_edition_xlsx(info, rows, path)), name


def audit(engine: Engine, actor: Actor, action: str, object_type: str, object_id: Any, **detail) -> None:
    """One audit entry for a change the catalog functions committed just before (they run in
    transactions of their own, so the entry follows in the next one)."""
    with session_scope(engine) as session:
        record(session, actor.username, action, object_type, object_id, **detail)


def create_edition(
    engine: Engine,
    actor: Actor,
    catalog: str,
    edition: str,
    region: str | None,
    criteria: str | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> editions.EditionInfo:
    """A new draft edition for a region inside the officer's own (an officer's region by default)."""
    if actor.role not in MANAGERS:
        raise Forbidden("只有经办人员和管理员可以新建产品目录")
    region = (region or "").strip() or officer_region(actor)
    if not region:
        raise Invalid("请填写目录的发布地区(行政区划代码或地名)", "region")
    from huiqi.catalog.search import region_facet

    with service_errors("region"):
        code = region_facet(region)[1]
    if not manages_region(actor, code):
        raise Forbidden(f"只能为您负责的地区新建目录,{full_place(code)}不在其内", "region")
    if valid_from and valid_to and valid_to < valid_from:
        raise Invalid("有效期止早于有效期起", "valid_to")
    with service_errors("catalog"):
        from huiqi.catalog.vocab import resolve_catalog

        name = resolve_catalog(catalog)
        if name is None:
            raise CatalogError(f"没有名为“{catalog}”的目录(可选:{'、'.join(catalog_names())})")
    with engine.connect() as conn:
        exists = conn.execute(
            select(CatalogEdition.id).where(
                CatalogEdition.catalog == name,
                CatalogEdition.region_code == code,
                CatalogEdition.edition == edition.strip(),
            )
        ).scalar()
    if exists:
        raise Conflict(f"{full_place(code)}{name}({edition.strip()})已存在,编号{exists}", "edition")
    with service_errors("edition"):
        info = editions.create_edition(engine, name, edition, code, criteria, valid_from, valid_to)
    audit(engine, actor, "catalog.create", "catalog_edition", info.id, after=edition_dict(info))
    return info


def add_products(
    engine: Engine, actor: Actor, edition_id: int, product_ids: list[int], note: str | None
) -> editions.AddOutcome:
    """Select products into a draft edition; refused ones come back with their reasons."""
    info = managed_edition(engine, actor, edition_id)
    if info.status != editions.DRAFT:
        raise Conflict(f"目录版次{edition_id}已发布,不能再增加产品(请新建版次)")
    with service_errors("product_ids"):
        outcome = editions.add_products(engine, edition_id, product_ids, (note or "").strip() or None)
    if outcome.added:
        audit(
            engine,
            actor,
            "catalog.add",
            "catalog_edition",
            edition_id,
            after={"added": outcome.added, "refused": {str(k): v for k, v in outcome.refused.items()}},
            reason=note,
        )
    return outcome


def remove_product(engine: Engine, actor: Actor, edition_id: int, product_id: int, reason: str) -> None:
    """Take a product out of an edition (退出), with the reason kept."""
    managed_edition(engine, actor, edition_id)
    if not (reason or "").strip():
        raise Invalid("退出目录须写明原因", "reason")
    with service_errors("product_id"):
        editions.remove_product(engine, edition_id, product_id, reason)
    audit(
        engine,
        actor,
        "catalog.remove",
        "catalog_edition",
        edition_id,
        before={"product_id": product_id},
        reason=reason.strip(),
    )


def publish(engine: Engine, actor: Actor, edition_id: int, on: dt.date | None = None) -> editions.EditionInfo:
    """Publish a draft edition (from ``on``, default today)."""
    info = managed_edition(engine, actor, edition_id)
    if info.status == editions.PUBLISHED:
        raise Conflict(f"目录版次{edition_id}已于{info.published_on}发布")
    if info.listed == 0:
        raise Conflict("目录中还没有产品,不能发布:请先选入产品")
    with service_errors():
        published = editions.publish(engine, edition_id, on)
    audit(engine, actor, "catalog.publish", "catalog_edition", edition_id, after=edition_dict(published))
    return published


def search(
    engine: Engine,
    text: str = "",
    kind: str = PRODUCT,
    region: str | None = None,
    industry: str | None = None,
    certification: str | None = None,
    limit: int = 20,
    offset: int = 0,
):
    """智能检索 (:func:`huiqi.catalog.search.search`), a bad filter named by its field."""
    from huiqi.catalog.search import industry_facet, region_facet
    from huiqi.catalog.search import search as run

    if region:
        with service_errors("region"):
            region_facet(region)
    if industry:
        with service_errors("industry"):
            industry_facet(industry)
    with service_errors("q"):
        return run(
            engine, text or "", kind, region or None, industry or None, certification or None, limit, offset
        )


def candidates(
    engine: Engine,
    info: editions.EditionInfo,
    text: str = "",
    industry: str | None = None,
    certification: str | None = None,
    limit: int = 50,
):
    """Products of the edition's region for it (a search; industry and certification filters)."""
    return search(engine, text, PRODUCT, info.region_code, industry, certification, limit)
