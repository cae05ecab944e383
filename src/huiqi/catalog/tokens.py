"""Chinese words for search and 供需对接 (分词): jieba with a domain dictionary.

One :class:`Analyzer` cuts every text the platform searches — product names and descriptions,
enterprise names, demands, queries — so the index and the query always agree. Before cutting,
text is normalised (NFKC, 繁→简, lower case). The domain dictionary (领域词典) keeps industrial
words whole: the terms of ``data/product_terms.txt`` and ``data/synonyms.toml``, the kinds and
aliases of the qualification vocabulary (``data/vocabulary.toml``), the product certifications
(``data/catalog.toml``) and the industry division names (国民经济行业分类 大类, with their
cores: 通用设备制造业 → 通用设备). jieba's HMM guesser is off: an unknown run of characters is
cut the same way wherever it appears.

* :meth:`Analyzer.words` — the words of a text, in order, without stop words, punctuation or
  bare numbers (型号 such as ``vmc850`` stay). Queries and matching use these.
* :meth:`Analyzer.index_words` — what the index stores: the words, the shorter dictionary words
  inside long ones (立式加工中心 → 立式, 加工, 中心, 加工中心) and a final character that names a
  thing on its own (离心泵 → 泵), so a query for a part of a word finds it.

* :meth:`Analyzer.head` — the head word of a name (中心词): Chinese compounds put what a thing
  is last (电力变压器 is a 变压器, 变压器油 is an 油), so the head is the last Chinese word outside
  brackets and model numbers; :meth:`Analyzer.head_words` adds the shorter words it ends with.

A one- or two-character note in brackets inside a word is part of it: 首台(套) reads as 首台套.

>>> a = analyzer()
>>> a.words("立式加工中心VMC850,用于汽车零部件的加工")
['立式加工中心', 'vmc850', '汽车零部件', '加工']
>>> "加工中心" in a.index_words("立式加工中心") and "泵" in a.index_words("不锈钢离心泵")
True
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

from huiqi.text.normalize import normalize

_WORD_CHARS = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NOTE = re.compile(r"[((\[【][^()()\[\]【】]*[))\]】]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_BRACKETED = re.compile(r"(?<=[\u4e00-\u9fff])[((]([\u4e00-\u9fff]{1,2})[))]")
_INDUSTRY_TAIL = re.compile(
    r"(?:制造|加工|生产和供应|生产|开采|采选|洗选|冶炼和压延加工|辅助性活动|服务)?业$"
)


def _data(name: str) -> str:
    return resources.files("huiqi.data").joinpath(name).read_text("utf-8")


def fold(text: str) -> str:
    """Text as the analyzer reads it: normalised (NFKC, simplified) and lower case.

    >>> fold("CNC數控機床"), fold("首台(套)装备")
    ('cnc数控机床', '首台套装备')
    """
    return _BRACKETED.sub(r"\1", normalize(text).lower())


def industry_words(name: str) -> list[str]:
    """Words an industry division's name gives the dictionary: itself and its cores.

    >>> industry_words("电气机械和器材制造业")
    ['电气机械和器材制造业', '电气机械', '器材']
    >>> industry_words("黑色金属冶炼和压延加工业")
    ['黑色金属冶炼和压延加工业', '黑色金属']
    """
    core = _INDUSTRY_TAIL.sub("", name)
    parts = [p for p in re.split(r"和|、|及|,|,", core) if len(p) >= 2]
    return list(dict.fromkeys([name, *parts]))


def dictionary_words() -> list[str]:
    """Every word of the domain dictionary, folded, longest first (see the module docstring)."""
    from huiqi.catalog.synonyms import synonyms
    from huiqi.catalog.vocab import settings
    from huiqi.registry.codes import industry_divisions

    words: list[str] = []
    for line in _data("product_terms.txt").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line)
    words.extend(synonyms().terms())
    vocabulary = tomllib.loads(_data("vocabulary.toml"))
    for table in ("recognition", "event"):
        for kind, entry in vocabulary.get(table, {}).items():
            words.append(kind)
            words.extend(alias.split("=")[0] for alias in entry.get("aliases", []))
    for cert in settings().certifications.values():
        words.append(cert.name)
    for division in industry_divisions().values():
        words.extend(industry_words(division.name))
    folded = {w for w in (_joined(fold(w)) for w in words) if len(w) >= 2}
    return sorted(folded, key=lambda w: (-len(w), w))


def _joined(word: str) -> str:
    """A dictionary word without the characters jieba never puts inside a word (brackets,
    quotes, spaces): 首台(套) → 首台套."""
    return "".join(_WORD_CHARS.findall(word))


class Analyzer:
    """jieba with the domain dictionary, stop words and head characters (see the module docstring)."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        import jieba

        from huiqi.catalog.vocab import settings

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for word in [*dictionary_words(), *extra_words]:
            self._jieba.add_word(word)
        search = settings().search
        self.stopwords = frozenset(fold(w) for w in search.get("stopwords", []))
        self.head_characters = frozenset(search.get("head_characters", ""))
        self.not_heads = frozenset(fold(w) for w in search.get("not_heads", []))
        # names, categories and industries repeat across thousands of rows: cut each text once
        self._words = lru_cache(maxsize=200_000)(self._cut)
        self._index_words = lru_cache(maxsize=200_000)(self._stored)

    def _clean(self, pieces: Iterable[str]) -> list[str]:
        out: list[str] = []
        for piece in pieces:
            for word in _WORD_CHARS.findall(piece):
                if word in self.stopwords or _NUMBER.fullmatch(word):
                    continue
                out.append(word)
        return out

    def words(self, text: str | None) -> list[str]:
        """The words of ``text`` in order (precise mode), without stop words and bare numbers."""
        if not text:
            return []
        return list(self._words(text))

    def _cut(self, text: str) -> tuple[str, ...]:
        return tuple(self._clean(self._jieba.cut(fold(text), HMM=False)))

    def inner_words(self, word: str) -> list[str]:
        """The dictionary words inside ``word`` (shorter than it, not stop words), left to right."""
        known = self._jieba.FREQ
        out = []
        for start in range(len(word) - 1):
            for end in range(start + 2, min(len(word), start + 8) + 1):
                if end - start == len(word):
                    continue
                part = word[start:end]
                if known.get(part) and part not in self.stopwords:
                    out.append(part)
        return out

    def head(self, name: str | None) -> str | None:
        """The head word of a product or demand name, or None when it has none.

        >>> analyzer().head("油浸式电力变压器 S13-630kVA"), analyzer().head("医用外科口罩(一次性)")
        ('电力变压器', '外科口罩')
        """
        if not name:
            return None
        words = [w for w in self.words(_NOTE.sub(" ", fold(name))) if self.may_head(w)]
        return words[-1] if words else None

    def may_head(self, word: str) -> bool:
        """A word that can name a thing: Chinese, or a Latin word the dictionary knows (plc,
        cnc) — not a model number (vmc850) nor a word that only says how it is packed (套装)."""
        if word in self.not_heads:
            return False
        return bool(_CJK.search(word)) or (word.isalpha() and bool(self._jieba.FREQ.get(word)))

    def parts(self, word: str) -> list[str]:
        """The pieces a compound word is made of: its longest dictionary words, left to right,
        and its head character (化工泵 → 化工, 泵; 储能系统 → 储能, 系统).

        >>> analyzer().parts("化工泵"), analyzer().parts("储能系统")
        (['化工', '泵'], ['储能', '系统'])
        """
        inner = self.inner_words(word)
        pieces = [w for w in inner if not any(w != o and w in o for o in inner)]
        if word[-1] in self.head_characters and not any(p.endswith(word[-1]) for p in pieces):
            pieces.append(word[-1])
        return pieces

    def head_words(self, name: str | None) -> list[str]:
        """The head word and the dictionary words it ends with (电力变压器 → 变压器), and its
        head character.

        >>> analyzer().head_words("土压平衡盾构机"), analyzer().head_words("盾构机刀盘滚刀")
        (['盾构机'], ['滚刀', '刀'])
        """
        head = self.head(name)
        if head is None:
            return []
        out = [head, *(w for w in self.inner_words(head) if head.endswith(w))]
        if len(head) >= 2 and head[-1] in self.head_characters:
            out.append(head[-1])
        return list(dict.fromkeys(out))

    def index_words(self, text: str | None) -> list[str]:
        """The words the index stores for ``text``: :meth:`words`, the dictionary words inside
        them and their head characters."""
        if not text:
            return []
        return list(self._index_words(text))

    def _stored(self, text: str) -> tuple[str, ...]:
        out: list[str] = []
        for word in self._words(text):
            out.append(word)
            if len(word) >= 3:
                out.extend(self.inner_words(word))
            if len(word) >= 2 and word[-1] in self.head_characters:
                out.append(word[-1])
        return tuple(out)


@cache
def analyzer() -> Analyzer:
    """The shared analyzer (building it loads jieba's dictionary: about a second, once)."""
    return Analyzer()
