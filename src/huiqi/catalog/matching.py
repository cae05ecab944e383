"""供需对接: local suppliers for a buyer's demand, and the open demands a product could serve.

A demand is read into words (:func:`read_demand`): the words of its title without those that
say how it is bought (采购, 一批 … ``[match] demand_words``), its head word (中心词: what is
wanted, unless the title ends in a generic word such as 设备), the words of its description,
its category and the certifications it names (首台(套), 优势工业产品目录 …).

A product is scored against a demand (:func:`score`, 0–100, weights in ``catalog.toml``):

* **text** (70): how much of the demand the product covers. Each demand word counts by its
  rarity among all products (idf), the head word twice, description words at a third; a word
  found in the product's head or name counts fully, in its category 0.8, in its description
  or maker's name 0.5, and through a synonym 0.85 of that. When the demand has a head and the
  product is another kind of thing — neither its name's head nor its category's is the
  demand's head or a synonym (盾构机 wanted, 盾构机刀盘滚刀 offered) — the text score is
  halved. A product below ``min_relevance`` of text is not listed.
* **category** (12): the demand's category (a code: the maker's industry or the product's
  category code, by division or class; words: the product's category or industry).
* **certification** (8): the product holds what the demand names.
* **catalog** (4): the product is in a published catalog (优势工业产品目录, 政府首购创新产品目录):
  such products are preferred on equal terms.
* **local** (4 + 2): the maker is in the demand's city (province, for a provincial demand),
  and in its district — local products are preferred on equal terms.

Every listed match carries the reason in Chinese. Candidates come from the search index
(:mod:`huiqi.catalog.fts`): the products holding any of the demand's selective words, best
first; they are then scored here, so every database gives the same scores.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, or_, select

from huiqi.catalog.errors import NotFoundError
from huiqi.catalog.fts import Query, backend
from huiqi.catalog.index import PRODUCT, ensure_fresh, facet_word
from huiqi.catalog.synonyms import synonyms
from huiqi.catalog.tokens import analyzer, fold
from huiqi.catalog.vocab import catalogs, resolve_certification, settings
from huiqi.db.models import CatalogSearchEntry, Demand, Enterprise, Product
from huiqi.registry.codes import region_level, region_name

FIELD_WEIGHT = {"head": 1.0, "name": 1.0, "category": 0.8, "body": 0.5}
FIELD_ZH = {"head": "名称", "name": "名称", "category": "类别", "body": "描述"}
HEAD_MISMATCH = 0.5
PIECES = 0.8  # a compound found by its pieces counts this share


def _weights() -> dict:
    return settings().match


@dataclass
class DemandTerms:
    """A demand as read for matching (see the module docstring)."""

    key: int  # the stored demand's id
    demand_id: str
    title: str
    buyer: str
    buyer_uscc: str | None
    region_code: str
    title_words: list[str]
    head: str | None
    description_words: list[str]
    category: str | None
    category_words: list[str]
    wanted: list[str]  # certifications the demand names
    deadline: dt.date | None = None


@dataclass
class ProductView:
    """A product as the matcher sees it: its words by field, its maker and certifications."""

    id: int
    uscc: str
    name: str
    maker: str
    region_code: str
    industry_code: str | None
    category: str | None
    certifications: list[str]
    head: str | None  # the head word of the name (中心词)
    head_words: set[str]
    category_head_words: set[str]
    fields: dict[str, set[str]]  # head, name, category, body → words


@dataclass
class Match:
    """One product for one demand, with its score (0–100), the parts of it and the reason."""

    demand_id: str
    demand_key: int
    demand_title: str
    product_id: int
    product: str
    uscc: str
    maker: str
    region_code: str
    score: float
    reason: str
    parts: dict[str, float] = field(default_factory=dict)
    certifications: list[str] = field(default_factory=list)
    rank: int = 0

    def to_dict(self) -> dict:
        """The JSON item of ``huiqi supply match --format json`` and of the API."""
        return {
            "demand_id": self.demand_id,
            "demand": self.demand_title,
            "rank": self.rank,
            "uscc": self.uscc,
            "maker": self.maker,
            "product_id": self.product_id,
            "product": self.product,
            "region_code": self.region_code,
            "score": self.score,
            "reason": self.reason,
            "parts": self.parts,
            "certifications": self.certifications,
        }


@dataclass
class DemandMatches:
    """A demand and its ranked suppliers."""

    demand: DemandTerms
    matches: list[Match]
    candidates: int = 0


# --- reading a demand ------------------------------------------------------------------------


def _demand_words(text: str | None) -> list[str]:
    """A demand's words without those about buying, and without lone characters that name
    nothing (the 变 left of 干式变); a head character (泵, 阀) stays."""
    words = analyzer()
    noise = {fold(w) for w in _weights().get("demand_words", [])}
    return [
        w
        for w in dict.fromkeys(words.words(text))
        if w not in noise and (len(w) > 1 or w in words.head_characters or w.isascii())
    ]


def named_certifications(text: str) -> list[str]:
    """The product certifications a demand's text names (首台(套), 首购 …), canonical."""
    found: list[str] = []
    words = analyzer()
    for word in words.words(text):
        name = resolve_certification(word)
        if name and name not in found:
            found.append(name)
    return found


def read_demand(row) -> DemandTerms:
    """A stored demand (a ``Demand`` row or a mapping with its columns) read for matching."""
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    title, description, category = get("title"), get("description"), get("category")
    title_words = _demand_words(title)
    generic = {fold(w) for w in _weights().get("generic_heads", [])}
    content = [w for w in title_words if analyzer().may_head(w)]
    head = content[-1] if content else None
    if head in generic:
        head = None
    description_words = [w for w in _demand_words(description) if w not in title_words]
    category_words = [] if _is_code(category) else _demand_words(category)
    return DemandTerms(
        key=get("id"),
        demand_id=get("demand_id"),
        title=title,
        buyer=get("buyer"),
        buyer_uscc=get("buyer_uscc"),
        region_code=get("region_code"),
        title_words=title_words,
        head=head,
        description_words=description_words,
        category=category,
        category_words=category_words,
        wanted=named_certifications(f"{title} {description or ''}"),
        deadline=get("deadline"),
    )


def _is_code(text: str | None) -> bool:
    import re

    return bool(text) and re.fullmatch(r"[A-Za-z]?\d{2,4}", text.strip()) is not None


# --- word statistics -------------------------------------------------------------------------


class Stats:
    """How many products hold each word (or any of its synonyms), asked of the index once."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.fts = backend(conn)
        self.kind = facet_word("类型", PRODUCT)
        self.total = self.fts.count(conn, Query([], [self.kind])) or 0
        self._df: dict[str, int] = {}

    def df(self, word: str) -> int:
        if word not in self._df:
            group = list(synonyms().expand(word))
            self._df[word] = self.fts.count(self.conn, Query([group], [self.kind])) if self.total else 0
        return self._df[word]

    def idf(self, word: str) -> float:
        n, df = self.total, self.df(word)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


# --- scoring ---------------------------------------------------------------------------------


def _found_whole(word: str, product: ProductView) -> tuple[float, str, str] | None:
    best: tuple[float, str, str] | None = None
    for term, weight in synonyms().expand(word).items():
        for name, words in product.fields.items():
            if term in words:
                credit = weight * FIELD_WEIGHT[name]
                if best is None or credit > best[0]:
                    best = (credit, name, term)
    return best


def _found(word: str, product: ProductView) -> tuple[float, str, str] | None:
    """The best way ``word`` is in the product: (credit, field, the product's word). A compound
    the product does not hold whole counts by its pieces (化工泵: 化工 and 泵), at 0.8."""
    best = _found_whole(word, product)
    if best is not None:
        return best
    pieces = analyzer().parts(word)
    if len(pieces) < 2:
        return None
    found = [f for f in (_found_whole(p, product) for p in pieces) if f is not None]
    if not found:
        return None
    credit = PIECES * sum(f[0] for f in found) / len(pieces)
    where = min(found, key=lambda f: f[0])[1]
    return credit, where, "+".join(f[2] for f in found)


def kind_of(word: str) -> str:
    """The kind a compound head names: its last piece (配电变压器 → 变压器, 化工泵 → 泵), or the
    word itself when it has no pieces (盾构机)."""
    pieces = analyzer().parts(word)
    return pieces[-1] if len(pieces) >= 2 and word.endswith(pieces[-1]) else word


def _heads_agree(head: str, product: ProductView) -> bool:
    """Whether the product is the kind of thing ``head`` names: its name's or category's head is
    the demand's head, or the kind the demand's head names (配电变压器 → 变压器), a synonym or a
    narrower word of either, or ends with one of those (电力变压器 is a 变压器; 离心泵 is a 泵).
    A product whose own head is generic (系统, 设备) agrees when its name holds the demand's head."""
    words = analyzer()
    wanted = set(synonyms().expand(head)) | set(synonyms().expand(kind_of(head)))
    for own in product.head_words | product.category_head_words:
        if own in wanted or any(own.endswith(w) for w in wanted if len(w) >= 2):
            return True
    generic = {fold(w) for w in _weights().get("generic_heads", [])}
    if product.head in generic:
        named = product.fields["name"] | product.fields["head"]
        pieces = words.parts(head) or [head]
        return head in named or all(p in named for p in pieces)
    return False


def _category_fit(demand: DemandTerms, product: ProductView) -> tuple[float, str]:
    if not demand.category:
        return 0.0, ""
    if _is_code(demand.category):
        from huiqi.registry.codes import clean_industry_code

        try:
            wanted = clean_industry_code(demand.category)
        except ValueError:
            return 0.0, ""
        codes = [c for c in (product.industry_code, product.category) if _is_code(c)]
        for code in codes:
            try:
                own = clean_industry_code(code)
            except ValueError:
                continue
            if own.startswith(wanted) or wanted.startswith(own[:5]):
                return 1.0, f"行业代码相符({own})"
            if own[:3] == wanted[:3]:
                return 0.7, f"同属行业大类{own[:3]}"
        return 0.0, ""
    for word in demand.category_words:
        found = _found(word, product)
        if found and found[1] in ("category", "head", "name"):
            return 1.0, f"类别相符(“{demand.category}”)"
    return 0.0, ""


def _local(demand: DemandTerms, product: ProductView) -> tuple[float, float]:
    """(city part, district part) of the local preference, each 0 or 1."""
    code = demand.region_code
    try:
        level = region_level(code)
    except KeyError:
        return 0.0, 0.0
    if level == "province":
        return (1.0 if product.region_code.startswith(code[:2]) else 0.0), 0.0
    city = 1.0 if product.region_code.startswith(code[:4]) else 0.0
    district = 1.0 if level != "city" and product.region_code == code else 0.0
    return city, district


def _place(code: str) -> str:
    try:
        return region_name(code)
    except KeyError:
        return code


def score(demand: DemandTerms, product: ProductView, idf: Callable[[str], float]) -> Match | None:
    """The match of ``product`` for ``demand`` (see the module docstring), or None when the
    product does not cover enough of the demand."""
    weights = _weights()
    described = float(weights.get("description", 0.35))
    terms: list[tuple[str, float]] = [(w, idf(w)) for w in demand.title_words]
    if demand.head:
        terms.append((demand.head, idf(demand.head)))  # the head counts twice
    terms += [(w, described * idf(w)) for w in demand.description_words]
    total = sum(w for _, w in terms) or 1.0
    got = 0.0
    matched: list[tuple[str, str]] = []
    for word, weight in terms:
        found = _found(word, product)
        if found is None:
            continue
        credit, where, term = found
        got += weight * credit
        if term == word:
            shown = f"“{word}”"
        elif "+" in term or term in analyzer().parts(word):
            shown = f"“{word}”(部分:{'、'.join(f'“{t}”' for t in term.split('+'))})"
        else:
            shown = f"“{word}”(同义“{term}”)"
        if (where, shown) not in matched:
            matched.append((where, shown))
    text = got / total
    agree = demand.head is None or _heads_agree(demand.head, product)
    if not agree:
        text *= HEAD_MISMATCH
    if text < float(weights.get("min_relevance", 0.35)):
        return None
    category, category_reason = _category_fit(demand, product)
    held = [c for c in demand.wanted if c in product.certifications]
    certification = len(held) / len(demand.wanted) if demand.wanted else 0.0
    listed = [c for c in product.certifications if c in catalogs()]
    city, district = _local(demand, product)
    parts = {
        "text": round(float(weights.get("text", 70)) * text, 2),
        "category": round(float(weights.get("category", 12)) * category, 2),
        "certification": round(float(weights.get("certification", 8)) * certification, 2),
        "catalog": float(weights.get("catalog", 4)) if listed else 0.0,
        "local": round(
            float(weights.get("local_city", 4)) * city + float(weights.get("local_district", 2)) * district, 2
        ),
    }
    reasons = []
    by_field: dict[str, list[str]] = {}
    for where, shown in matched:
        by_field.setdefault(FIELD_ZH[where], []).append(shown)
    reasons.append(
        ",".join(f"{place}含{'、'.join(words[:6])}" for place, words in by_field.items())
        + f"(文本相关度{text:.0%})"
    )
    if not agree:
        reasons.append(f"但产品“{product.name}”不是需求所要的“{demand.head}”本身")
    if category_reason:
        reasons.append(category_reason)
    if held:
        reasons.append(f"具备需求提到的{'、'.join(held)}")
    if listed:
        reasons.append(f"列入《{'》《'.join(listed)}》,同等条件下优先")
    if city:
        where = _place(product.region_code)
        reasons.append(f"本地企业({where}),同等条件下优先" + ("(同一区县)" if district else ""))
    return Match(
        demand.demand_id,
        demand.key,
        demand.title,
        product.id,
        product.name,
        product.uscc,
        product.maker,
        product.region_code,
        round(sum(parts.values()), 2),
        ";".join(reasons),
        parts,
        product.certifications,
    )


# --- the database side -----------------------------------------------------------------------


def _views(conn: Connection, product_ids: Iterable[int]) -> list[ProductView]:
    """Products (live, with a live maker) as the matcher sees them, from the search index."""
    ids = sorted({int(i) for i in product_ids})
    if not ids:
        return []
    words = analyzer()
    entries = {
        int(r.ref): r
        for r in conn.execute(
            select(
                CatalogSearchEntry.ref,
                CatalogSearchEntry.uscc,
                CatalogSearchEntry.region_code,
                CatalogSearchEntry.industry_code,
                CatalogSearchEntry.certifications,
                CatalogSearchEntry.head_tokens,
                CatalogSearchEntry.name_tokens,
                CatalogSearchEntry.category_tokens,
                CatalogSearchEntry.body_tokens,
            ).where(CatalogSearchEntry.kind == PRODUCT, CatalogSearchEntry.ref.in_([str(i) for i in ids]))
        )
    }
    details = {
        r.id: r
        for r in conn.execute(
            select(Product.id, Product.name, Product.category, Enterprise.name.label("maker"))
            .join(Enterprise, Enterprise.uscc == Product.uscc)
            .where(Product.id.in_(ids))
        )
    }
    views = []
    for product_id in ids:
        row, detail = entries.get(product_id), details.get(product_id)
        if row is None or detail is None:
            continue
        views.append(
            ProductView(
                id=product_id,
                uscc=row.uscc,
                name=detail.name,
                maker=detail.maker,
                region_code=row.region_code,
                industry_code=row.industry_code,
                category=detail.category,
                certifications=[c for c in row.certifications.split("|") if c],
                head=(row.head_tokens.split() or [None])[0],
                head_words=set(row.head_tokens.split()),
                category_head_words=set(words.head_words(detail.category)),
                fields={
                    "head": set(row.head_tokens.split()),
                    "name": set(row.name_tokens.split()),
                    "category": set(row.category_tokens.split()),
                    "body": set(row.body_tokens.split()),
                },
            )
        )
    return views


def _candidates(conn: Connection, demand: DemandTerms, stats: Stats) -> list[int]:
    """Product ids holding any selective word of the demand, best ranked first."""
    weights = _weights()
    limit = int(weights.get("candidates", 300))
    broad = float(weights.get("broad_share", 0.05)) * max(stats.total, 1)
    words = list(dict.fromkeys([*demand.title_words, *demand.description_words, *demand.category_words]))
    if not words or not stats.total:
        return []
    selective = [w for w in words if 0 < stats.df(w) <= broad]
    if not selective:  # every word is common: the rarest ones fetch
        present = [w for w in words if stats.df(w) > 0]
        selective = sorted(present, key=stats.df)[:2]
    if not selective:
        return []
    query = Query([list(synonyms().expand(w)) for w in selective], [stats.kind], any_group=True)
    page = stats.fts.search(
        conn, query, limit, 0, window=max(limit, int(weights.get("candidate_window", 20000)))
    )
    entries = conn.execute(
        select(CatalogSearchEntry.ref).where(CatalogSearchEntry.id.in_(page.ids))
    ).scalars()
    return [int(r) for r in entries]


def _rank(matches: list[Match], limit: int | None) -> list[Match]:
    matches.sort(key=lambda m: (-m.score, m.product_id))
    for rank, match in enumerate(matches, start=1):
        match.rank = rank
    return matches if limit is None else matches[:limit]


def _match_one(conn: Connection, demand: DemandTerms, stats: Stats, limit: int | None) -> DemandMatches:
    ids = _candidates(conn, demand, stats)
    found = []
    for view in _views(conn, ids):
        if demand.buyer_uscc and view.uscc == demand.buyer_uscc:
            continue  # a buyer is not its own supplier
        match = score(demand, view, stats.idf)
        if match is not None:
            found.append(match)
    return DemandMatches(demand, _rank(found, limit), len(ids))


def find_demand(conn: Connection, key: str | int) -> Demand:
    """A live demand by its 需求编号 (or stored id); NotFoundError when none, or when the number is
    used by several buyers (then the stored id is asked for). An ``int`` key is the stored id
    only, so a 需求编号 that happens to be that number never answers in its place."""
    text = str(key).strip()
    rows = []
    if not isinstance(key, int):
        rows = list(
            conn.execute(
                select(Demand).where(Demand.demand_id == text, Demand.withdrawn_run_id.is_(None))
            ).all()
        )
    if not rows and text.isdigit():
        rows = list(
            conn.execute(select(Demand).where(Demand.id == int(text), Demand.withdrawn_run_id.is_(None)))
        )
    if not rows:
        raise NotFoundError(f"没有需求“{text}”(或已撤回)")
    if len(rows) > 1:
        owners = "、".join(f"{r.buyer}(编号{r.id})" for r in rows)
        raise NotFoundError(f"需求编号“{text}”有多个需求方:{owners};请用括号中的编号")
    return rows[0]


def open_demands(conn: Connection, on: dt.date | None = None) -> list:
    """Live demands whose deadline has not passed on ``on`` (default today), by 需求编号."""
    on = on or dt.date.today()
    query = (
        select(Demand)
        .where(Demand.withdrawn_run_id.is_(None), or_(Demand.deadline.is_(None), Demand.deadline >= on))
        .order_by(Demand.demand_id, Demand.id)
    )
    return list(conn.execute(query).all())


def match_demand(engine: Engine, demand: str | int, limit: int | None = 20) -> DemandMatches:
    """The ranked suppliers of one demand (by 需求编号 or stored id), open or not."""
    ensure_fresh(engine)
    with engine.connect() as conn:
        row = find_demand(conn, demand)
        return _match_one(conn, read_demand(row), Stats(conn), limit)


def match_all(
    engine: Engine,
    limit: int | None = 10,
    on: dt.date | None = None,
    step: Callable[[int, int], None] | None = None,
) -> list[DemandMatches]:
    """Every open demand with its ranked suppliers; ``step(done, total)`` reports progress."""
    ensure_fresh(engine)
    with engine.connect() as conn:
        rows = open_demands(conn, on)
        stats = Stats(conn)
        out = []
        for done, row in enumerate(rows, start=1):
            out.append(_match_one(conn, read_demand(row), stats, limit))
            if step:
                step(done, len(rows))
    return out


def demands_for_product(
    engine: Engine, product_id: int, limit: int | None = 20, on: dt.date | None = None
) -> list[Match]:
    """The open demands a product could serve, best first (the same score as the other way)."""
    ensure_fresh(engine)
    with engine.connect() as conn:
        views = _views(conn, [product_id])
        if not views:
            raise NotFoundError(f"没有产品{product_id}(或已撤回)")
        view = views[0]
        stats = Stats(conn)
        found = []
        for row in open_demands(conn, on):
            demand = read_demand(row)
            if demand.buyer_uscc and demand.buyer_uscc == view.uscc:
                continue
            match = score(demand, view, stats.idf)
            if match is not None:
                found.append(match)
    return _rank(found, limit)


def records(results: Iterable[DemandMatches]) -> list[dict]:
    """The JSON items of a match: one per demand × product, ranked within each demand."""
    return [m.to_dict() | {"buyer": r.demand.buyer} for r in results for m in r.matches]
