"""Stacking rules (叠加规则): how benefits combine across clauses and documents.

* ``highest_only`` — 就高不重复, 不重复享受, 按最高标准执行, 择一(择优)享受
* ``cap_per_enterprise`` — 每家企业…最高限额 / 累计不超过
* ``supersedes`` — (原有…)与本…不一致的,按本…执行 / 以本…为准
* ``repeatable`` — 可重复享受, 可叠加享受, 在享受…基础上…再给予/还可享受
"""

from __future__ import annotations

import re

from huiqi.extract.model import Stacking
from huiqi.extract.structure import Structure
from huiqi.text.clauses import split_sentences, split_top

RULES: list[tuple[str, re.Pattern[str]]] = [
    (
        "highest_only",
        re.compile(
            r"就高不重复|就高不就低|就高原则|就高奖励|就高执行|就高补助|就高支持|不重复享受|不得重复享受|不重复支持|"
            r"不重复奖励|不重复补助|按最高标准|择[一优]享受|不叠加享受|不再重复"
        ),
    ),
    (
        "cap_per_enterprise",
        re.compile(
            r"(?:每家|同一|单个|单家|每个)[\u4e00-\u9fff]{0,4}(?:企业|机构|单位|项目)[^。]{0,40}(?:最高限额|累计|合计|各项|总额)|"
            r"(?:上述|以上|本条|本款)(?:各项)?(?:奖励|补助|奖补|支持|政策)[^。,]{0,16}(?:最高|不超过|累计)|"
            r"同一(?:服务)?(?:机构|企业|单位)的?(?:奖励|补助)?(?:额度|金额)?每年"
        ),
    ),
    (
        "supersedes",
        re.compile(r"(?:不一致|不符|相冲突|有冲突)[^。]{0,20}(?:按本|以本)[^。]{0,12}(?:执行|为准)"),
    ),
    (
        "repeatable",
        re.compile(
            r"可重复享受|可叠加享受|叠加享受|叠加支持|"
            r"在享受[^。]{1,40}基础上[^。]{0,30}(?:再给予|还可享受|再享受|可享受|额外给予|另行给予)|"
            r"在[^。,]{1,20}(?:奖励|补助|资金|支持)(?:的)?基础上[^。]{0,20}(?:再|额外|另行|相应配套)"
        ),
    ),
]


def without_limits(sentence: str) -> str:
    """The sentence less its comma parts that only limit benefits (就高奖励, 每家企业累计不超过…).

    Such a part grants nothing itself; the grants beside it in the same sentence still count.
    """
    limits = [p for rule, p in RULES if rule in ("highest_only", "cap_per_enterprise")]
    if not any(p.search(sentence) for p in limits):
        return sentence
    kept = [part for part in split_top(sentence, ",") if not any(p.search(part) for p in limits)]
    return ",".join(kept)


def extract_stacking(structure: Structure) -> list[Stacking]:
    """Every sentence that states a stacking rule, with the rule it states."""
    out: list[Stacking] = []
    for para in structure.paragraphs:
        for sentence in split_sentences(para.text):
            for rule, pattern in RULES:
                if pattern.search(sentence):
                    out.append(Stacking(text=sentence, rule=rule))
    return out
