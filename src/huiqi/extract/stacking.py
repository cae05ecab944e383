"""Stacking rules (叠加规则): how benefits combine across clauses and documents, typed.

Each rule is a named pattern of the lexicon (``data/lexicon.toml``):

* ``highest_only`` — 就高不重复, 不重复享受, 从高享受, 择一(择优)享受
* ``cap_per_enterprise`` — 每家企业每年累计不超过300万元, 企业享受…总额不得超过其地方贡献
* ``supersedes`` — (原有…)与本…不一致的,按本…执行 / 以本…为准
* ``repeatable`` — 可叠加享受, 在享受…基础上…再给予
* ``exclusive`` — 企业不得同时享受第四条和第七条, 本项资助与第四条不同时享受

and carries what it limits (``docs/extraction.md``): ``sections``, the ids of the articles it is
limited to with every section nested in them (``[]``: the whole document); for a
``cap_per_enterprise`` also ``limit_wan``, ``period`` (year, project, policy), ``scope``
(document or sections), ``basis`` (a fixed sum, or the enterprise's tax retained locally, new or
all of it) and ``payer`` (the budget level whose money alone is limited, 区级各项奖励 → 区级).

>>> from huiqi.extract.structure import parse_structure
>>> s = parse_structure(["一、支持创新", "对企业给予10万元奖励。每家企业每年累计不超过30万元。"])
>>> [(r.rule, r.limit_wan, r.period, r.scope, r.sections) for r in extract_stacking(s, {"一"})]
[('cap_per_enterprise', 30.0, 'year', 'sections', ['一'])]
"""

from __future__ import annotations

import re

from huiqi.extract.amounts import payer_level
from huiqi.extract.lexicon import LEXICON
from huiqi.extract.model import Stacking
from huiqi.extract.structure import ARTICLE, Section, Structure
from huiqi.text.clauses import split_sentences, split_top
from huiqi.text.money import find_money, parse_number

RULE_NAMES = ("highest_only", "cap_per_enterprise", "supersedes", "repeatable", "exclusive")
RULES: list[tuple[str, re.Pattern[str]]] = [(name, LEXICON.pattern(name)) for name in RULE_NAMES]
_LIMITS = [p for name, p in RULES if name in ("highest_only", "cap_per_enterprise", "exclusive")]
# One pass over a sentence tells whether any rule (or any limit) can be there at all.
_ANY_RULE = re.compile("|".join(f"(?:{p.pattern})" for _, p in RULES))
_ANY_LIMIT = re.compile("|".join(f"(?:{p.pattern})" for p in _LIMITS))
_OWN_CAP = LEXICON.pattern("own_grant_cap")

_ARTICLE = re.compile(r"第(?P<num>[一二三四五六七八九十百零〇\d]{1,5})(?:条|项|款|点)")
_ARTICLE_LIST = re.compile(
    r"第?(?P<num>[一二三四五六七八九十百零〇\d]{1,5})(?=(?:[、和及与或,]|至)第?[一二三四五六七八九十百零〇\d]{1,5}(?:条|项|款))"
)
_CURRENT = re.compile(r"本条|本款|本项|本章|本节|本点")
_LIMIT_MONEY = re.compile(r"(?:不超过|不高于|最高|限额为?|上限为?|封顶|以内|累计|合计|为)")
_PAYER_PART = re.compile(r"(?P<who>[市省区县])级(?:财政)?(?:的)?(?:各项|补助|奖励|奖补|资金|扶持|部分)")


def without_limits(sentence: str) -> str:
    """The sentence less its comma parts that only limit benefits (就高奖励, 每家企业累计不超过…).

    Such a part grants nothing itself; the grants beside it in the same sentence still count.
    """
    if not _ANY_LIMIT.search(sentence):
        return sentence
    clauses = []
    # A limit ends at a ; as at a comma: …每家单位全年累计补助最高10万元;对参展单位给予… keeps
    # the grant of the next clause.
    for clause in split_top(sentence, ";"):
        kept = []
        for part in split_top(clause, ","):
            if _OWN_CAP.search(part) or not _is_limit(part):
                kept.append(part)
            elif not _is_limit(bare := _REMARK.sub("", part)) and bare.strip():
                # 最高补助20万元(与…政策不重复享受): the limit is only a remark; the cap is the grant's
                kept.append(bare)
            elif ":" in part and (after := part.rsplit(":", 1)[1]):
                kept.append(after)  # …年资助总额不超过300万元:其中 — what follows the colon is read
        if kept:
            clauses.append(",".join(kept))
    return ";".join(clauses)


_REMARK = re.compile(r"[(（][^()（）]*[)）]")


def _is_limit(part: str) -> bool:
    return any(p.search(part) for p in _LIMITS)


def _only_own_caps(sentence: str, pattern: re.Pattern[str]) -> bool:
    """Whether every part of ``sentence`` that ``pattern`` finds is a ceiling on its own grant
    (该项奖励金额合计不超过200万元): that is the grant's cap, not a stacking rule."""
    parts = [part for part in split_top(sentence, ",") if pattern.search(part)]
    return bool(parts) and all(_OWN_CAP.search(part) for part in parts)


def _number(text: str) -> int | None:
    try:
        return int(parse_number(text))
    except ValueError:
        return None


def _subtree(section: Section, structure: Structure) -> list[str]:
    """The ids of a section and of every section nested in it, in document order."""
    return [s.id for s in structure.sections if section in s.ancestors()]


def _article(number: int, structure: Structure) -> Section | None:
    """The section a 第X条 names: the printed number X at the article level (第X条 / X. / X、)."""
    candidates = [s for s in structure.sections if _number(s.number) == number]
    for level in (ARTICLE, 4, 1, 3, 0, 5):
        found = [s for s in candidates if s.level == level]
        if found:
            return found[0]
    return None


def _named_sections(sentence: str, structure: Structure) -> list[Section]:
    """The sections a sentence names by number (第四条和第七条, 第14、15条)."""
    numbers = [m.group("num") for m in _ARTICLE.finditer(sentence)]
    numbers += [m.group("num") for m in _ARTICLE_LIST.finditer(sentence)]
    out: list[Section] = []
    for text in numbers:
        value = _number(text)
        section = _article(value, structure) if value is not None else None
        if section is not None and section not in out:
            out.append(section)
    return out


def _ids(sections: list[Section], structure: Structure) -> list[str]:
    ids: list[str] = []
    for section in sections:
        ids += [i for i in _subtree(section, structure) if i not in ids]
    return ids


def _scope(
    sentence: str, section: Section | None, structure: Structure, granting: set[str]
) -> tuple[str, list[str]]:
    """Whether a rule covers the whole document or some sections, and which (with their subsections).

    The document's own name (本办法, 本政策, 以上政策) makes it document-wide; named articles
    (第四条) limit it to those; 本条/上述奖励 or a rule standing inside a section that grants
    money limits it to that section; a rule in a closing section (附则) covers the document.
    """
    if LEXICON.pattern("whole_document").search(sentence):
        return "document", []
    if named := _named_sections(sentence, structure):
        return "sections", _ids(named, structure)
    if section is None:
        return "document", []
    chain = section.ancestors()
    if LEXICON.pattern("this_section").search(sentence):
        owner = next((s for s in chain if set(_subtree(s, structure)) & granting), None)
        if owner is not None:
            return "sections", _ids([owner], structure)
    if set(_subtree(section, structure)) & granting:
        return "sections", _ids([section], structure)
    return "document", []


def _limit(sentence: str) -> float | None:
    """The sum of money a per-enterprise limit states (累计不超过300万元 → 300)."""
    for money in find_money(sentence):
        if _LIMIT_MONEY.search(sentence[max(0, money.start - 8) : money.start]):
            return money.value_wan
    return None


def _period(sentence: str) -> str | None:
    for name, period in (("per_year", "year"), ("per_project", "project"), ("per_policy", "policy")):
        if LEXICON.pattern(name).search(sentence):
            return period
    return None


def _cap(rule: Stacking, sentence: str, scope: tuple[str, list[str]]) -> Stacking:
    tax = LEXICON.pattern("tax_basis").search(sentence)
    limit = None if tax else _limit(sentence)
    if tax:
        basis = "new_tax_retained" if LEXICON.pattern("new_tax").search(sentence) else "tax_retained"
    else:
        basis = "fixed" if limit is not None else None
    payer = _PAYER_PART.search(sentence)
    return rule.model_copy(
        update={
            "limit_wan": limit,
            "period": _period(sentence),
            "scope": scope[0],
            "sections": scope[1],
            "basis": basis,
            "payer": payer_level(payer.group("who")) if payer else None,
        }
    )


def _exclusive_sections(sentence: str, section: Section | None, structure: Structure) -> list[str]:
    named = _named_sections(sentence, structure)
    if section is not None and _CURRENT.search(sentence) and section not in named:
        named.insert(0, section)
    return _ids(named, structure)


def extract_stacking(structure: Structure, granting: set[str] | None = None) -> list[Stacking]:
    """Every sentence that states a stacking rule, with the rule it states and what it limits.

    ``granting`` holds the ids of the sections that hold incentive rows: a limit standing inside
    such a section is that section's limit.
    """
    granting = granting or set()
    out: list[Stacking] = []
    for para in structure.paragraphs:
        for sentence in split_sentences(para.text):
            if not _ANY_RULE.search(sentence):
                continue
            for name, pattern in RULES:
                if not pattern.search(sentence):
                    continue
                rule = Stacking(text=sentence, rule=name)
                if name == "cap_per_enterprise" and _only_own_caps(sentence, pattern):
                    continue  # 该项奖励金额合计不超过200万元: the cap of the grant beside it
                if name == "cap_per_enterprise":
                    rule = _cap(rule, sentence, _scope(sentence, para.section, structure, granting))
                elif name == "highest_only":
                    rule.sections = _scope(sentence, para.section, structure, granting)[1]
                elif name == "exclusive":
                    rule.sections = _exclusive_sections(sentence, para.section, structure)
                out.append(rule)
    return out
