"""Document fields (文件要素): title, 文号, issuers, dates, region and level.

Read from the normalised text before and after boilerplate removal: the header (lines above
the salutation or first body paragraph) gives the title and 文号; the signature block at the
end gives issuers and the signing date; a web page's ``发布日期 … 信息来源:…`` line is used only
when it names an official source, since a reposting site's date is not the issue date.
"""

from __future__ import annotations

import re
from datetime import date

from huiqi.extract.lexicon import LEXICON
from huiqi.extract.model import DocumentInfo
from huiqi.extract.structure import ORG_SUFFIX
from huiqi.text.lines import HEADING_START
from huiqi.text.money import parse_number
from huiqi.text.places import is_province

DOC_TYPES = r"(?:实施意见|意见|方案|通知|办法|措施|规定|计划|细则|决定|政策|纲要|规划|公告|批复|函|条例|指南|规则|清单|要点)"
_TITLE_YEARS = (
    r"[((]\s*(?:19|20)\d{2}\s*(?:年)?\s*(?:[—–\-~～至到]+\s*(?:19|20)\d{2}\s*)?年?(?:修订|修正|版)?\s*[))]"
)
_TITLE = re.compile(
    rf"^(?P<title>.{{4,120}}?{DOC_TYPES})(?P<years>\s*{_TITLE_YEARS})?"
    r"(?P<tail>\s*[((](?:征求意见稿|试行|暂行|修订|草案|送审稿)[))])?$"
)
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［(【](?:19|20)\d{2}[〕\]］)】]\s*\d{1,4}\s*号")
_CN_DIGIT = "〇零一二两三四五六七八九十"
_DATE = re.compile(
    rf"(?P<y>(?:19|20)\d{{2}}|[{_CN_DIGIT}]{{4}})\s*年\s*(?P<m>\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})\s*月"
    rf"\s*(?P<d>\d{{1,2}}|[{_CN_DIGIT}]{{1,3}})\s*日"
)
_ISO = re.compile(r"(?P<y>(?:19|20)\d{2})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})")
_SALUTATION = re.compile(r"^各[^。]{2,80}[::]$")
GOV_BODY = re.compile(
    r"(?:人民政府|政府|办公厅|办公室|委员会|管委会|管理委员会|局|厅|委|办|中心|支行|分行|分局|监管分局|总局|部)$"
)
_REGION = re.compile(
    r"^(?:中共)?(?P<region>[\u4e00-\u9fff]{2,9}?(?:特别行政区|自治区|自治州|自治县|省|市|地区|盟|州|县|区|旗))"
)


def _cn_year(text: str) -> int:
    return int("".join(str("〇一二三四五六七八九".index(c.replace("零", "〇"))) for c in text))


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO (2019年12月11日, 二〇一九年十二月十一日, 2023-06-30).

    >>> parse_date("二〇一九年十二月十一日"), parse_date("发布日期:2023-06-30 14:18")
    ('2019-12-11', '2023-06-30')
    """
    m = _DATE.search(text) or _ISO.search(text)
    if not m:
        return None
    try:
        y = m.group("y")
        year = int(y) if y.isdigit() else _cn_year(y)
        month, day = (int(v) if v.isdigit() else int(parse_number(v)) for v in (m.group("m"), m.group("d")))
        return date(year, month, day).isoformat()
    except (ValueError, IndexError):
        return None


def _clean_title(line: str) -> str:
    line = re.sub(r"《(.+)》", r"\1", line) if line.startswith("《") else line
    line = re.sub(rf"\s*[((]\s*{DOC_NUMBER.pattern}\s*[))]\s*$", "", line)
    line = _LOOSE_NUMBER.sub("", line)
    if ":" in line:
        rest = line.rpartition(":")[2]
        if _TITLE.match(rest.strip()) or "关于" in rest:
            line = rest
    # Spaces left by line breaks inside a title go, except between two issuing bodies.
    pieces = line.split()
    out = pieces[0] if pieces else ""
    for piece in pieces[1:]:
        joint = ORG_SUFFIX.search(out) and re.match(
            r"[\u4e00-\u9fff]{2,}?(?:人民政府|委员会|政府|局|委)", piece
        )
        out += (" " if joint else "") + piece
    return out.strip()


_TITLE_NOTE = re.compile(r"^[((](?:试行|暂行|征求意见稿|修订|修订版|草案|送审稿)[))]$")
_LOOSE_NUMBER = re.compile(r"^(?P<n>[\u4e00-\u9fff]{2,8}\d{1,4}号)\s*(?=关于)")


_HEADING_LINE = re.compile(f"^{HEADING_START}")


def _as_title(line: str) -> str | None:
    candidate = line.strip()
    if m := re.search(r"《(?P<t>[^》]{6,120})》\s*$", candidate):
        candidate = m.group("t")
    candidate = _clean_title(candidate)
    if DOC_NUMBER.fullmatch(candidate) or len(candidate) < 6 or re.search(r"[,。;]", candidate):
        return None
    return candidate if _TITLE.match(candidate) else None


# What may stand before a title on its line: a document code (JLHD01—2017—0030), the issuer's
# masthead (…人民政府办公室文件), a 文号, a mark (★), a rule (———), a signing date.
_HEAD_NOISE = re.compile(
    r"^(?:[A-Z]{2,}\d*[—\-–]\d{4}[—\-–]\d+|[\u4e00-\u9fff]{2,30}?文件|"
    + DOC_NUMBER.pattern
    + r"|\d{1,2}(?=[\u4e00-\u9fff])|[★☆◆■●*]+|[—\-_=]{3,}|[\u4e00-\u9fff]{2,30}?(?:19|20)\d{2}年\d{1,2}月\d{1,2}日)\s*"
)
_TITLE_END = re.compile(
    rf"{DOC_TYPES}(?P<note>(?:\s*{_TITLE_YEARS}|\s*[((](?:征求意见稿|试行|暂行|修订|草案|送审稿|(?:19|20)\d{{2}}年\d{{1,2}}月\d{{1,2}}日)?[))])*)"
)
# What may follow a title on its line: a salutation (各乡镇人民政府…:), the preamble's first words,
# the first chapter or article, or the 文号.
_BODY_START = re.compile(
    r"(?:为|根据|按照|现将|经[\u4e00-\u9fff]{2}|近年来|随着|当前|第一章|第一条|一、|总则)[^。]{0,60}[,。:]"
)


def _balanced(text: str) -> bool:
    return all(text.count(a) == text.count(b) for a, b in ("《》", "()", "“”", "<>", "〈〉"))


def is_salutation(rest: str) -> bool:
    """Whether the rest of a title line is the salutation (各乡镇人民政府…: / 乍浦镇,港区各部门:)."""
    rest = rest.strip()
    return (
        rest.endswith(":")
        and len(rest) <= 160
        and "。" not in rest
        and bool(re.search(r"[、,]|^各", rest))
        and not re.match(r"[》)的之]", rest)
    )


def glued_title(line: str) -> tuple[str, str] | None:
    """A title glued on one line to what surrounds it: (title, the rest of the line after it).

    >>> glued_title("仙商务〔2020〕44号关于促进商贸业发展的十条扶持政策为打好疫情防控总体战,制定本政策。")[0]
    '关于促进商贸业发展的十条扶持政策'
    >>> glued_title("★中共某县委某县人民政府关于印发《某县人才新政》的通知各乡镇党委,县直属各单位:")
    ('中共某县委某县人民政府关于印发《某县人才新政》的通知', '各乡镇党委,县直属各单位:')
    >>> glued_title("关于鼓励企业对接资本市场的意见兰政发〔2017〕40号")[0]
    '关于鼓励企业对接资本市场的意见'
    """
    head = line.strip()
    while m := _HEAD_NOISE.match(head):
        if not m.group(0):
            break
        head = head[m.end() :]
    for m in _TITLE_END.finditer(head):
        title, rest = head[: m.end()].strip(), head[m.end() :].strip()
        if len(title) < 6 or not _balanced(title) or re.search(r"[,。;:]", title):
            continue
        if not rest:
            return title, rest
        if (
            is_salutation(rest)
            or _BODY_START.match(rest)
            or DOC_NUMBER.match(rest)
            or (m.group("note") and not re.match(r"[》)的之]", rest))
        ):
            return title, rest
    return None


def _broken_title_start(line: str) -> bool:
    """The first line of a title broken in two: it names a place and is not itself a body or a date."""
    line = line.strip()
    return (
        6 <= len(line) <= 40
        and region_of(line) is not None
        and not GOV_BODY.search(line)
        and not parse_date(line)
        and not re.search(r"[,。;:、!!]", line)
        and not re.search(r"资讯|新闻|动态|频道|门户|网站|网$|专栏|首页", line)  # a site's banner
    )


def _title_candidates(lines: list[str]) -> list[str]:
    """Title-like header lines, above the first numbered heading (a notice may print 12 signers first)."""
    out = []
    for i, line in enumerate(lines[:40]):
        if _HEADING_LINE.match(line.strip()):
            break
        following = lines[i + 1].strip() if i + 1 < len(lines) else ""
        candidate = _as_title(line)
        if candidate is None and (glued := glued_title(line)):
            # A signing date or empty brackets printed after the title are not part of it.
            candidate = _as_title(re.sub(r"\s*[((](?:(?:19|20)\d{2}年\d{1,2}月\d{1,2}日)?[))]", "", glued[0]))
        if candidate is None and _broken_title_start(line):
            joined = _as_title(line.strip() + following)  # a title broken over two lines
            candidate = joined if joined and not re.search(r"[!!??]", joined) else None
        if candidate is None:
            continue
        titled = _TITLE.match(candidate)
        if titled and not titled.group("tail") and _TITLE_NOTE.match(following):
            candidate += following  # (试行) printed on the line below the title
        out.append(candidate)
    return out


def find_title(lines: list[str]) -> str | None:
    """The document's title: a header line that ends in a document type (意见、方案、通知 …).

    A line with 关于 is preferred: a site's menu or breadcrumb may also end in 计划 or 政策.
    """
    candidates = _title_candidates(lines)
    return next((c for c in candidates if "关于" in c), candidates[0] if candidates else None)


_NUMBER_CUT = re.compile(rf"(?:{DOC_TYPES}|局|委员会|办公室|政府|中心|支行|文件|号)(?=[\u4e00-\u9fff]{{2,}})")


def _own_number(found: str) -> str:
    """A 文号 without what the line glued before its prefix (a title's end, the issuers' names).

    >>> _own_number("层次资本市场的意见兰政发〔2017〕40号"), _own_number("宁波市鄞州区财政局鄞商局〔2018〕40号")
    ('兰政发〔2017〕40号', '鄞商局〔2018〕40号')
    >>> _own_number("区委办〔2018〕66号")
    '区委办〔2018〕66号'
    """
    found = re.sub(r"\s+", "", found)
    bracket = re.search(r"[〔\[［(【]", found)
    prefix = found[: bracket.start()] if bracket else found
    cut = 0
    for m in _NUMBER_CUT.finditer(prefix):
        if m.end() >= 4 and len(prefix) - m.end() >= 2:
            cut = m.end()
    return found[cut:]


def find_doc_number(lines: list[str]) -> str | None:
    """The 文号 printed in the header (not one cited in the body)."""
    for line in lines[:12]:
        line = line.strip()
        if _SALUTATION.match(line):
            break
        m = DOC_NUMBER.search(line)
        if m is None:
            if len(line) > 90:
                break
            continue
        before = line[: m.start()]
        if re.search(r"[,。;]", before) or (
            len(line) <= 90 and re.search(r"[,。;]", line) and not glued_title(line)
        ):
            continue  # a sentence cites a 文号; a header line (maybe glued to the title) prints one
        if not re.search(r"《[^》]*$|》\s*[((]?\s*$", before):
            return _own_number(m.group(0))
        if loose := _LOOSE_NUMBER.match(line):
            return loose.group("n")
    for line in lines[:12]:
        if loose := _LOOSE_NUMBER.match(line.strip()):
            return loose.group("n")
    return None


_PRINTED_ON = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日印发$")


def _signature_block(lines: list[str]) -> tuple[list[str], str | None]:
    """Issuers and date printed at the end of the document, walking up from the last line.

    A printing-office footer (…办公室 2023年8月9日印发) is skipped, joint issuers printed on one
    line are split, and the walk gives up after a few lines of trailing furniture.
    """
    issuers: list[str] = []
    signed = None
    skipped = 0
    tail = [line.strip() for line in lines[-25:] if line.strip()]
    i = len(tail) - 1
    while i >= 0:
        line = tail[i]
        i -= 1
        bare = re.sub(r"[((].*?[))]", "", line).strip()
        if not bare:
            continue
        if _PRINTED_ON.match(bare) and not issuers:
            i -= 1  # the office that printed it stands on the line above
            continue
        if signed is None and not issuers and (d := parse_date(bare)) and len(bare) <= 16:
            signed = d
            continue
        bodies = bare.split()
        if all(len(b) <= 30 and GOV_BODY.search(b) and not re.search(r"[,。;:、]", b) for b in bodies):
            issuers[:0] = bodies
            continue
        if signed is None and not issuers and skipped < 3:
            skipped += 1
            continue  # trailing furniture such as 阅读:143 or (此件公开发布)
        break
    return issuers, signed


def _embedded_signature(lines: list[str]) -> tuple[list[str], str | None]:
    """The signature of a 印发 notice printed above the document it attaches: bodies, then a date."""
    for j, line in enumerate(lines[:60]):
        bare = line.strip()
        if len(bare) > 16 or not (date := parse_date(bare)):
            continue
        bodies: list[str] = []
        k = j - 1
        while k >= 0 and len(lines[k]) <= 30 and all(GOV_BODY.search(b) for b in lines[k].split()):
            bodies[:0] = lines[k].split()
            k -= 1
        if bodies:
            return bodies, date
    return [], None


def _source_line(lines: list[str]) -> tuple[str | None, str | None]:
    """A web page's 发布日期 and 信息来源, when the source is a government body."""
    for line in lines[:10]:
        m = re.search(r"(?:信息来源|来源|发布机构|发文机关)[::]\s*(?P<src>[\u4e00-\u9fff]{3,30})", line)
        if m and GOV_BODY.search(m.group("src")):
            return m.group("src"), parse_date(line)
    return None, None


def region_of(name: str) -> str | None:
    """The place a body or title names: 济南市人民政府办公厅 → 济南市, 中共鲤城区委 → 鲤城区."""
    m = _REGION.match(name)
    if not m:
        return None
    region = m.group("region")
    if region.endswith("省") and not is_province(region[:-1]) and len(region) > 4:
        return None
    # 广州市天河区科技工业和信息化局: the body governs the district inside the city.
    rest = name[m.end("region") :]
    inner = re.match(
        r"[\u4e00-\u9fff]{2,4}?(?:区|县|旗)(?=[\u4e00-\u9fff]*(?:局|委|办|政府|管委会|办公室)|$)", rest
    )
    if inner and region.endswith(("市", "州", "盟")) and not inner.group(0).endswith(("开发区", "园区")):
        return region + inner.group(0)
    return region


def level_of_region(region: str | None, issuers: list[str]) -> str | None:
    """省级 / 市级 / 区县级 from the governed place; 国家级 for national bodies."""
    if issuers and re.match(
        r"国务院|中共中央|国家(?!税务总局[\u4e00-\u9fff])|[\u4e00-\u9fff]{1,6}部$", issuers[0]
    ):
        return "国家级"
    if not region:
        return None
    if re.search(r"(?:省|自治区|特别行政区)$", region) or region[:-1] in ("北京", "天津", "上海", "重庆"):
        return "省级"
    if re.search(r"(?:市|地区|盟|自治州|州)$", region):
        return "市级"
    return "区县级"


def _issuers_from_title(title: str | None) -> list[str]:
    if not title or "关于" not in title:
        return []
    head = title.split("关于", 1)[0].strip()
    head = re.sub(r"等(?:\d+个)?部门$", "", head)
    parts = [p for p in re.split(r"[\s、]+", head) if p]
    return [p for p in parts if ORG_SUFFIX.search(p)]


_TERM = re.compile(
    r"(?:试行期|执行期|实施期|有效期)(?:限)?(?:为|暂定)?(?:自[^,。;]{4,20}?(?:起|开始))?(?:至|到|截至)(?P<d>[^,。;]{6,16}?)(?:止|结束|为止)"
)


def _validity(text: str, effective: str | None) -> str | None:
    if not re.search(r"有效期|试行期|执行期|实施期", text):
        return None
    # 试行期自2017年1月1日起至2021年12月31日止: a term the document sets for itself
    for m in _TERM.finditer(text):
        if d := parse_date(m.group("d")):
            return d
    for sentence in re.split(r"[。\n]", text):
        if not re.search(
            r"本(?:实施)?(?:意见|方案|办法|通知|政策|措施|细则|规定|计划|决定|条例)|有效期至", sentence
        ):
            continue
        m = re.search(r"有效期(?:至|到|截至)(?P<d>[^,。;]+)", sentence)
        if m and (d := parse_date(m.group("d"))):
            return d
        m = re.search(r"有效期(?:为)?(?P<n>[\d一二三四五六七八九十两]+)年", sentence)
        if m and effective:
            years = int(parse_number(m.group("n")))
            start = date.fromisoformat(effective)
            try:
                end = start.replace(year=start.year + years)
            except ValueError:
                end = start.replace(year=start.year + years, day=28)
            return date.fromordinal(end.toordinal() - 1).isoformat()
    return None


def _effective(text: str, issued: str | None) -> str | None:
    m = re.search(r"自(?P<d>[^,。]{2,20}?)起(?:施行|实施|执行|生效)", text)
    if m:
        if re.search(r"印发|发布|下发|公布|签发", m.group("d")):
            return issued
        return parse_date(m.group("d"))
    return None


def extract_document(raw_lines: list[str], lines: list[str], text: str) -> DocumentInfo:
    """Read the document fields from the normalised raw lines and the boilerplate-free lines."""
    title = find_title(lines) or find_title(raw_lines)
    doc_number = find_doc_number(lines)
    signers, signed = _signature_block(lines)
    if not signers:
        signers, signed = _embedded_signature(lines)
    source, published = _source_line(raw_lines)
    issuers = signers or _issuers_from_title(title) or ([source] if source else [])
    issued = signed or (published if source else None)
    region = None
    for name in [*issuers, "" if (title or "").startswith("关于") else title or ""]:
        if region := region_of(name):
            break
    effective = _effective(text, issued)
    return DocumentInfo(
        title=title,
        doc_number=doc_number,
        issuers=issuers,
        issued_on=issued,
        effective_from=effective,
        expires_on=_validity(text, effective or issued),
        region=region,
        level=level_of_region(region, issuers),
    )


_YEAR_SPAN = re.compile(
    r"(?P<a>(?:19|20)\d{2})\s*年?(?:度)?\s*(?:—|–|-|~|～|至|到)+\s*(?P<b>(?:19|20)\d{2})\s*年?"
)
_ONE_YEAR = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年(?:度)?(?![\d月]|修订|修正|版|第|起|以来)")
_N_YEARS = re.compile(r"(?P<n>[两三四五六七八九十\d]{1,2})年(?:行动|攻坚|工作|专项|推进|提升|实施)")
_GOAL_YEAR = re.compile(r"(?:到|至|截至|截止到)(?P<y>20\d{2})年")
_SELF_SPAN = re.compile(
    r"本(?:行动|工作|实施|专项)?(?:方案|计划|要点)[^。,]{0,6}[((]?(?P<a>20\d{2})\s*年?\s*(?:—|–|-|~|至|到)+\s*(?P<b>20\d{2})"
)


def _plan_type(title: str) -> bool:
    return bool(re.search(LEXICON.alternation("plan_type"), title))


def read_horizon(document: DocumentInfo, text: str, doc_year: int | None) -> None:
    """Read whether a document is a time-bound plan (行动方案, 工作要点 …) and the years it covers.

    The horizon comes from the title (2022年工作方案 → 2022; 三年行动计划(2023—2025年) →
    2023..2025; a revision year such as (2018年修订) is not one), else, for a plan, from the
    plan naming its own years in the text (本行动计划(2023-2025年)), from N年行动计划 and its goal
    year (到2025年 → 2023..2025), or from 全年 in a plan dated by its 文号 or signature.

    >>> d = DocumentInfo(title="某市加快建设工业强市三年行动计划(2023—2025年)")
    >>> read_horizon(d, "", None); (d.plan, d.horizon_start, d.horizon_end)
    (True, '2023-01-01', '2025-12-31')
    """
    title = document.title or ""
    document.plan = _plan_type(title)
    start = end = None
    if m := _YEAR_SPAN.search(title):
        start, end = int(m.group("a")), int(m.group("b"))
    elif m := _ONE_YEAR.search(title):
        start = end = int(m.group("y"))
    elif document.plan:
        goals = [int(y) for y in _GOAL_YEAR.findall(text)]
        if m := _SELF_SPAN.search(text):
            start, end = int(m.group("a")), int(m.group("b"))
        elif (n := _N_YEARS.search(title)) and goals:
            span = int(parse_number(n.group("n")))
            end = max(set(goals), key=goals.count)
            start = end - span + 1
        elif "全年" in text and doc_year:
            start = end = doc_year
    if start and end and start <= end:
        document.horizon_start = f"{start}-01-01"
        document.horizon_end = f"{end}-12-31"
