"""Chinese text into search tokens (jieba), the same way for what is indexed and what is asked.

Indexed text is cut in jieba's search mode (``cut_for_search``): every word, and the shorter
dictionary words inside a long one (国家级 gives 国家 and 国家级), so a query for a part of a
word still finds it. A query is cut in precise mode into words; each word is one *group* that
matches when the indexed text holds the word itself or, failing that, shorter tokens that spell
it out exactly (a word the text's context segmented otherwise is still found). All groups must
match.

Tokens are lower case and never hold whitespace; punctuation and single-character function
words (的, 和, 对 …) are not tokens. Numbers are kept (50 in 50万元).

>>> index_tokens("对新建成的国家级研发大楼,给予一次性奖励50万元")
'新 建成 国家 国家级 研发 大楼 给予 一次 一次性 奖励 50 万元'
>>> query_groups("国家级的奖励"), query_groups("技术改造")
([['国家级', '国家', '级'], ['奖励']], [['技术改造', '技术', '改造']])
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable

import jieba

jieba.setLogLevel(logging.WARNING)

# Characters that carry no meaning alone in a policy text; a longer word containing them is kept.
_STOP = frozenset("的了和与及或对在为以于等之其将由被把向从并且而则即也又就都所各每该本此个")
_WORD = re.compile(r"\w", re.UNICODE)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_extra: set[str] = set()


def _get() -> jieba.Tokenizer:
    """The process's tokenizer, its dictionary loaded once (about a second the first time)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in sorted(_extra):
                    tokenizer.add_word(word)
                _tokenizer = tokenizer
    return _tokenizer


def add_words(words: Iterable[str]) -> None:
    """Make domain terms (专精特新小巨人, 免申即享 …) single words for segmentation; what was
    indexed before keeps its tokens until it is indexed again."""
    new = {w.strip() for w in words if w and w.strip() and not any(c.isspace() for c in w.strip())}
    with _lock:
        new -= _extra
        _extra.update(new)
        tokenizer = _tokenizer
    if tokenizer is not None:
        for word in sorted(new):
            tokenizer.add_word(word)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _keep(token: str) -> bool:
    token = token.strip()
    return bool(token) and bool(_WORD.search(token)) and token not in _STOP


def search_cut(text: str) -> list[str]:
    """Every token of ``text`` in search mode, in order, repeats kept."""
    return [t.strip() for t in _get().cut_for_search(_clean(text)) if _keep(t)]


def index_tokens(text: str) -> str:
    """What is stored to be searched: the search-mode tokens joined by single spaces."""
    return " ".join(search_cut(text))


def query_words(query: str) -> list[str]:
    """The words of a query in precise mode, without punctuation, stop characters or repeats."""
    words: list[str] = []
    for token in _get().cut(_clean(query)):
        token = token.strip()
        if _keep(token) and token not in words:
            words.append(token)
    return words


def query_groups(query: str) -> list[list[str]]:
    """One group per query word: the word, then the shorter tokens that spell it out (首台套 →
    首台 + 套), all of which must then be in the same part of the text. The text's own
    segmentation may have cut a word differently from the query's (首台(套), 国家级 in 省国家级),
    and the parts still find it."""
    groups = []
    for word in query_words(query):
        parts = _spelling(word)
        groups.append([word, *parts] if parts else [word])
    return groups


def _spelling(word: str) -> list[str]:
    """Tokens that, one after another, spell ``word``: at each place the longest search-mode
    token of the word that starts there, else the single character. [] for a word of fewer than
    three characters (两个字 spelled by single characters would find almost anything) or one
    that a stop character would have to spell."""
    if len(word) < 3:
        return []
    inner = {p for p in search_cut(word) if p != word}
    out, at = [], 0
    while at < len(word):
        found = max((p for p in inner if word.startswith(p, at)), key=len, default=word[at])
        out.append(found)
        at += len(found)
    return out if len(out) > 1 and all(_keep(p) for p in out) else []
