"""政策库检索: the policy library in the full-text index, and a document's text for people.

Each document's version in force is indexed as the collection ``policy`` under its id: a
``title`` part (title, 文号, region, issuers) and one part per line of its cleaned text
(``line:N``), so a search finds documents and the clauses in them. The text is the one the
extractor read — the file loaded, normalised, site furniture removed, hard-wrapped lines joined —
taken from the stored file when its bytes are still those of the version, else rebuilt from the
reading (title and the rows' own sentences).

The words of the qualification vocabulary (专精特新小巨人, 企业技术中心 …) are single words for
the tokenizer, so a title is found by its whole name; changing the vocabulary changes the
digest, and the next :func:`sync` indexes again.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huiqi.db.models import Document, DocumentVersion
from huiqi.search import index
from huiqi.search.tokens import add_words

COLLECTION = "policy"
INDEX_VERSION = "1"  # bump when what a document's parts are changes
_sync_lock = threading.Lock()


@lru_cache(maxsize=1)
def domain_words() -> tuple[str, str]:
    """The vocabulary's names (kinds, aliases, indicators) made single words; returns (words
    joined, their digest)."""
    from huiqi.rules.vocabulary import load_vocabulary

    vocab = load_vocabulary()
    words = {kind for _, kind in vocab.kinds}
    for aliases in vocab.aliases.values():
        words.update(a.text for a in aliases)
    for indicator in vocab.indicators.values():
        words.update((indicator.name, *indicator.aliases))
    words = {w for w in words if 2 <= len(w) <= 20}
    add_words(words)
    joined = "\n".join(sorted(words))
    return joined, hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def _clean_lines(raw: str) -> list[str]:
    from huiqi.extract.boilerplate import strip_boilerplate
    from huiqi.text.lines import join_continued, repair_ocr_digits, unwrap_lines
    from huiqi.text.normalize import normalize

    lines = [repair_ocr_digits(line) for line in unwrap_lines(strip_boilerplate(normalize(raw)).split("\n"))]
    return [line for line in join_continued(lines) if line.strip()]


@lru_cache(maxsize=64)
def _file_lines(path: str, sha256: str) -> tuple[str, ...] | None:
    from huiqi.extract.loaders import load_text

    source = Path(path)
    try:
        if hashlib.sha256(source.read_bytes()).hexdigest() != sha256:
            return None
        return tuple(_clean_lines(load_text(source)))
    except Exception:  # a moved, changed or unreadable file: the reading is the fallback
        return None


def _reading_lines(extraction: dict) -> list[str]:
    """The document rebuilt from its reading when its file is gone: title, then each row's text."""
    meta = extraction.get("document") or {}
    lines = [meta.get("title") or ""]
    for task in extraction.get("tasks") or []:
        lines.append(f"{task.get('id', '')}.{task.get('title', '')}")
    for section in ("incentives", "targets", "stacking"):
        lines += [row.get("text") or "" for row in extraction.get(section) or []]
    return [line for line in dict.fromkeys(lines) if line.strip()]


def document_lines(version: DocumentVersion) -> tuple[list[str], bool]:
    """The cleaned lines of a version's text, and whether they are the file's (else rebuilt)."""
    found = _file_lines(version.source_path, version.sha256) if version.source_path else None
    if found is not None:
        return list(found), True
    return _reading_lines(version.extraction or {}), False


def _digest(version: DocumentVersion) -> str:
    return hashlib.sha256(f"{version.sha256}|{domain_words()[1]}|{INDEX_VERSION}".encode()).hexdigest()


def parts(document: Document, version: DocumentVersion) -> list[index.Part]:
    meta = version.extraction.get("document") or {}
    head = " ".join(
        str(v)
        for v in (document.title, meta.get("doc_number"), document.region, *(meta.get("issuers") or []))
        if v
    )
    lines, _ = document_lines(version)
    return [index.Part("title", head)] + [index.Part(f"line:{n}", line) for n, line in enumerate(lines)]


def sync(session: Session) -> int:
    """Index every document whose version in force is new or changed, drop documents that are
    gone; returns how many were indexed. Safe to call from several requests at once."""
    domain_words()
    with _sync_lock:
        rows = session.execute(
            select(Document, DocumentVersion).join(
                DocumentVersion, DocumentVersion.id == Document.current_version_id
            )
        ).all()
        by_key = {str(d.id): (d, v) for d, v in rows}
        changed, gone = index.stale(session, COLLECTION, {k: _digest(v) for k, (_, v) in by_key.items()})
        if not changed and not gone:
            return 0
        try:
            with session.begin_nested():
                for key in changed:
                    document, version = by_key[key]
                    index.replace(session, COLLECTION, key, parts(document, version), _digest(version))
                index.remove(session, COLLECTION, gone)
        except IntegrityError:  # another process indexed the same documents first
            return 0
        return len(changed)


def search(session: Session, query: str, document_ids: list[int] | None = None) -> list[index.ItemHit]:
    """Documents (by id, as text keys) whose title or lines hold every word of ``query``."""
    domain_words()
    keys = None if document_ids is None else [str(i) for i in document_ids]
    return index.search_items(session, COLLECTION, query, limit=400, keys=keys)
