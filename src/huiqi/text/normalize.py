"""Text normalisation (文本规范化): one canonical form before any rule reads the text.

* Unicode NFKC: full-width letters, digits and ASCII punctuation become half-width
  (``(`` → ``(``, ``,`` → ``,``, ``10%`` → ``10%``); Chinese punctuation such as ``、``, ``。``,
  ``“”`` and ``〔〕`` is left as it is.
* Traditional characters become simplified (OpenCC ``t2s``), so 獎勵補助 reads as 奖励补助.
* Invisible characters (zero-width spaces, BOM, soft hyphens) are removed, non-breaking and
  ideographic spaces become plain spaces, and line endings become ``\n``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile("[\u00a0\u3000\u2002\u2003\u2009\t]")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: building the converter costs a few milliseconds

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters to simplified ones.

    >>> to_simplified("獎勵補助")
    '奖励补助'
    """
    return _t2s().convert(text)


def normalize(text: str) -> str:
    """Return the canonical form of ``text`` used by every extraction rule.

    >>> normalize("給予１０％的補助,最高５００萬元")
    '给予10%的补助,最高500万元'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = unicodedata.normalize("NFKC", text)
    return to_simplified(text)
