"""Coordinated lists inside a phrase (并列成分), the things 分别 pairs amounts with.

``对上年度新评定的5A、4A、3A国家级旅游景区工业企业,分别给予80万元、50万元、30万元`` holds the
list ``5A、4A、3A``; substituting one member at a time gives each row its own subject.

Four kinds are recognised, in the order they are preferred when several lists could pair
with the amounts: ``level`` (国家级、省级), ``quoted`` (“济南老字号”“山东老字号”), ``alnum``
(5A、4A、3A) and ``general`` (中国专利金奖、中国外观设计金奖).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from huiqi.extract.lexicon import LEXICON
from huiqi.text.clauses import CLOSERS, OPENERS

# A level word (from the lexicon), a place's own 省级/市级 (浙江省级, 绍兴市级), or a bare 省/市 in a list.
LEVEL_WORD = (
    r"(?:[\u4e00-\u9fff]{2}省级|[\u4e00-\u9fff]{2}市级|"
    + LEXICON.level_word_pattern[3:-1]
    + r"|市内|自治区|省|市)"
)
_LEVEL_LIST = re.compile(
    rf"(?<![城都全本该各我外])(?P<list>{LEVEL_WORD}(?:(?:、|和|及|与|或){LEVEL_WORD})+)"
    r"(?![\u4e00-\u9fff]?[、和])"
)
_QUOTED_LIST = re.compile(r"(?P<list>“[^”]{1,30}”(?:(?:、|和|及|与|或)?“[^”]{1,30}”)+)")
_ALNUM_LIST = re.compile(r"(?<![0-9A-Za-z])(?P<list>[0-9A-Za-z]{1,6}(?:、[0-9A-Za-z]{1,6})+)")
SEPARATORS = ("以及", "、", "和", "及", "与", "或")
# Words that end the phrase before a list's first member (walking backwards from the first separator).
_START_BOUNDARY = re.compile(
    r"(?:获得|荣获|入选|列入|纳入|认定为|认定的|认定|评定的|评定为|评定|获评|评为|确定为|获批|制定|订|参与|主导|"
    r"实现|完成|达到|创建为|创建|建成|"
    r"通过|成为|授予|命名为|命名|进入|引进的|引进|参加|举办|申请|对于|对|为|的|获|,|:|;|\()$"
)
_END_BOUNDARY = re.compile(r"的|,|;|:|等(?![奖品级次])|。|且|(?=给予|分别|按|奖励|补助|补贴)")


@dataclass
class CoordList:
    """A list found in ``phrase[start:end]``; ``members`` replace the whole span one at a time."""

    kind: str
    start: int
    end: int
    members: list[str]
    separators: list[str] = field(default_factory=list)
    prefix: str = ""
    suffix: str = ""

    def __len__(self) -> int:
        return len(self.members)

    def substitute(self, phrase: str, index: int) -> str:
        """``phrase`` with this list replaced by its member ``index``."""
        return phrase[: self.start] + self.prefix + self.members[index] + self.suffix + phrase[self.end :]

    def substitute_group(self, phrase: str, indexes: list[int]) -> str:
        """``phrase`` with this list replaced by the members ``indexes`` (consecutive) as printed."""
        text = self.members[indexes[0]]
        for i in indexes[1:]:
            text += self.separators[i - 1] + self.members[i]
        return phrase[: self.start] + self.prefix + text + self.suffix + phrase[self.end :]

    def groups(self, separator: str) -> list[list[int]]:
        """Member indexes grouped by splitting the list at ``separator`` only (和-level grouping)."""
        groups: list[list[int]] = [[0]]
        for i, sep in enumerate(self.separators, start=1):
            if sep == separator:
                groups.append([i])
            else:
                groups[-1].append(i)
        return groups


# A separator character that is part of a word here (参与, 涉及, 总和) does not split a list.
_WORD_BEFORE = {"与": "参给授赋", "及": "涉普危惠", "和": "总共调柔缓温饱", "或": ""}
_WORD_AFTER = {"和": "谐睦平", "及": "时早以", "与": "会", "或": "许"}


def _inside_word(text: str, i: int, sep: str) -> bool:
    before = _WORD_BEFORE.get(sep, "")
    after = _WORD_AFTER.get(sep, "")
    nxt = text[i + len(sep) : i + len(sep) + 1]
    return bool((i > 0 and text[i - 1] in before) or (nxt and nxt in after))


def _split_members(text: str) -> tuple[list[str], list[str]]:
    """Split ``text`` at top-level separators, returning members and the separators between them."""
    members, seps, depth, start, i = [], [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(0, depth - 1)
        elif depth == 0:
            sep = next((s for s in SEPARATORS if text.startswith(s, i)), None)
            if sep and _inside_word(text, i, sep):
                sep = None
            if sep:
                members.append(text[start:i])
                seps.append(sep)
                i += len(sep)
                start = i
                continue
        i += 1
    members.append(text[start:])
    return members, seps


def _level_lists(phrase: str) -> list[CoordList]:
    out = []
    for m in _LEVEL_LIST.finditer(phrase):
        members, seps = _split_members(m.group("list"))
        if members[-1].endswith("级"):  # 省、市级 → 省级、市级
            members = [w if w.endswith("级") else w + "级" for w in members]
        out.append(CoordList("level", m.start("list"), m.end("list"), members, seps))
    return out


def _quoted_lists(phrase: str) -> list[CoordList]:
    out = []
    for m in _QUOTED_LIST.finditer(phrase):
        members = re.findall(r"“[^”]*”", m.group("list"))
        out.append(CoordList("quoted", m.start(), m.end(), members))
    # “省级老字号、中华老字号”: one pair of quotes around the whole list
    for m in re.finditer(r"“(?P<inner>[^“”]{2,40}、[^“”]{2,40})”", phrase):
        members, seps = _split_members(m.group("inner"))
        if len(members) > 1 and all(len(x) >= 2 for x in members) and set(seps) <= {"、"}:
            out.append(CoordList("quoted", m.start("inner"), m.end("inner"), members, seps))
    return out


def _alnum_lists(phrase: str) -> list[CoordList]:
    out = []
    for m in _ALNUM_LIST.finditer(phrase):
        members = m.group("list").split("、")
        out.append(CoordList("alnum", m.start(), m.end(), members, ["、"] * (len(members) - 1)))
    return out


_NUMERAL = re.compile(
    r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)(?:万亿元|亿元|万元|元|万|亿|%|‰|家|个|倍)?(?:\((?:含|不含)\))?"
)
# A number with its own qualifier, when every member prints one (5000万元及以上、1亿元及以上).
_QUALIFIED_NUMERAL = re.compile(_NUMERAL.pattern + r"(?:及以上|及以下|以上|以下)?")


def _share_affixes(lst: CoordList) -> None:
    """Spread the words a list prints only once over every member.

    * numbers: 突破1000万元、2000万元、1亿元的 (prefix 突破), 200%、150%、100%以上的 (suffix 以上);
    * a prefix on the first member: 省专利特等奖、一等奖、二等奖 (prefix 省专利);
    * a suffix on the last member: 一、二、三等奖 (suffix 等奖).
    """
    first, middle, last = lst.members[0], lst.members[1:-1], lst.members[-1]
    for numeral in (_NUMERAL, _QUALIFIED_NUMERAL):
        lead = re.search(f"(?:{numeral.pattern})$", first)
        trail = numeral.match(last)
        if lead and trail and all(numeral.fullmatch(m) for m in middle):
            lst.prefix, lst.members[0] = first[: lead.start()], first[lead.start() :]
            lst.suffix, lst.members[-1] = last[trail.end() :], last[: trail.end()]
            return
    rest = lst.members[1:]
    lengths = {len(m) for m in rest}
    if (
        len(rest) >= 2
        and len(lengths) == 1
        and (n := lengths.pop()) < len(first) <= 12
        and n <= 4
        and first[-1] == rest[0][-1]
    ):
        lst.prefix, lst.members[0] = first[:-n], first[-n:]
        return
    lengths = {len(m) for m in lst.members[:-1]}
    if (
        len(lengths) == 1
        and (n := lengths.pop()) < len(last)
        and (n <= 2 or (n == 3 and all(m[-1] == last[n - 1] for m in lst.members[:-1])))
    ):
        # 一、二等奖 (suffix 等奖); 区域性、全国性、国际性商贸会展 (suffix 商贸会展)
        lst.suffix, lst.members[-1] = last[n:], last[:n]


def _general_lists(phrase: str) -> list[CoordList]:
    """Lists joined by 、 (and a final 和/及), with the first and last member's extent guessed."""
    members, seps = _split_members(phrase)
    if len(members) < 2:
        return []
    out: list[CoordList] = []
    offsets, pos = [], 0
    for i, member in enumerate(members):
        offsets.append(pos)
        pos += len(member) + (len(seps[i]) if i < len(seps) else 0)
    run: list[int] = [0]
    runs: list[list[int]] = []
    for i in range(1, len(members)):
        inner = members[i]
        if i < len(members) - 1 and re.search(r"[,;:的且]", inner):
            run.append(i)
            runs.append(run)
            run = [i]
        else:
            run.append(i)
    runs.append(run)
    for run in runs:
        if len(run) < 2:
            continue
        first_text = members[run[0]]
        cut = 0
        for k in range(len(first_text) - 1, 0, -1):
            rest = first_text[k:]
            if _START_BOUNDARY.search(first_text[:k]) and rest.count(")") <= rest.count("("):
                cut = k  # never cut inside a bracket: 500万元(含)
                break
        first = first_text[cut:]
        last_text = members[run[-1]]
        m = _END_BOUNDARY.search(last_text)
        last = last_text[: m.start()] if m else last_text
        if not first or not last:
            continue
        body = [first, *(members[i] for i in run[1:-1]), last]
        if any(not b or re.search(r"[,;:]", b) for b in body):
            continue
        start = offsets[run[0]] + cut
        end = offsets[run[-1]] + len(last)
        lst = CoordList("general", start, end, body, [seps[i - 1] for i in run[1:]])
        level = re.match(r"(国家级|自治区级|省级|盟市级|市级|州级|旗县级|区县级|县级|区级)", lst.members[0])
        own_levels = any(re.match(LEVEL_WORD, m) for m in lst.members[1:])
        if level and not own_levels and not all(re.match(LEVEL_WORD + "$", m) for m in lst.members):
            lst.start += len(level.group(1))
            lst.members[0] = lst.members[0][len(level.group(1)) :]
        if not all(lst.members):
            continue
        _share_affixes(lst)
        _borrow_nouns(lst)
        out.append(lst)
    return out


def _borrow_nouns(lst: CoordList) -> None:
    """A bare level before a member that prints a level and a noun takes that noun: 国家级、省级重点
    企业研究院、省级企业研究院 → 国家级重点企业研究院, 省级重点企业研究院, 省级企业研究院."""
    first = re.search(f"(?:{LEVEL_WORD})$", lst.members[0])
    if (
        len(lst.members) > 1
        and first
        and first.start() > 0
        and (first.group(0).endswith("级") or first.group(0) == "国家")
        and re.match(LEVEL_WORD, lst.members[1])
    ):
        # 木雕红木产业国家级、省级…: the words before the first level are everyone's
        lst.start += first.start()
        lst.members[0] = first.group(0)
    for i in range(len(lst.members) - 2, -1, -1):
        member, nxt = lst.members[i], lst.members[i + 1]
        level = re.match(LEVEL_WORD, nxt)
        if (
            re.fullmatch(LEVEL_WORD, member)
            and level
            and len(nxt) > level.end()
            and nxt[level.end()] not in "级部厅"  # 省部级大赛 is a level of its own
        ):
            lst.members[i] = member + nxt[level.end() :]


_UNITS = r"(?:万亿元|亿元|万元|元|万|亿|%|‰|家|个|件|台|套|人|平方米|亩|吨|标箱|倍)"
_NUMBER_MEMBER = (
    r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
    + _UNITS
    + r"?(?:\((?:含|不含)\))?(?:及以上|及以下|以上|以下)?"
)
_NUMBER_LIST = re.compile(
    rf"(?<![\d.A-Za-z])(?P<list>{_NUMBER_MEMBER}(?:(?:、|和|及|或|与){_NUMBER_MEMBER})+)(?![\d.])"
)


def _numeral_lists(phrase: str) -> list[CoordList]:
    """Numbers listed one after another (突破1亿元、2亿元和3亿元的): the words around them are shared."""
    out = []
    for m in _NUMBER_LIST.finditer(phrase):
        members, seps = _split_members(m.group("list"))
        if not re.search(_UNITS, members[-1]) or any(
            not re.match(r"[\d零〇一二两三四五六七八九十百千]", x) for x in members
        ):
            continue
        lst = CoordList("numeral", m.start("list"), m.end("list"), members, seps)
        qualifier = re.search(r"(?:及以上|及以下|以上|以下)$", members[-1])
        if qualifier and not any(re.search(r"以上|以下", x) for x in members[:-1]):
            # 500万元(含)、3000万元(含)、5000万元(含)以上: the qualifier printed once is everyone's
            lst.suffix, lst.members[-1] = qualifier.group(0), members[-1][: qualifier.start()]
        out.append(lst)
    return out


KIND_ORDER = ("level", "quoted", "numeral", "alnum", "general")


def find_lists(phrase: str) -> list[CoordList]:
    """Every list in ``phrase``, the preferred kinds first (level, quoted, numeral, alnum, general)."""
    found = (
        _level_lists(phrase)
        + _quoted_lists(phrase)
        + _numeral_lists(phrase)
        + _alnum_lists(phrase)
        + _general_lists(phrase)
    )
    return sorted(found, key=lambda lst: KIND_ORDER.index(lst.kind))


def level_lists(phrase: str) -> list[CoordList]:
    """Only the lists of levels (国家级、省级 / 国内、省内 / 国家、省)."""
    return _level_lists(phrase)


def recipient_members(text: str) -> list[str]:
    """Split a recipient phrase after 给予 (研发单位和使用单位) into its members."""
    members, _ = _split_members(text)
    return [m for m in members if m]
