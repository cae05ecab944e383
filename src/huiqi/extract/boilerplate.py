"""Removing website furniture (网页杂项) from a policy document's normalised text.

Pages copied from government and consultancy sites carry lines that are not part of the
policy: hotline and mobile numbers, QR-code prompts (扫描二维码), copyright and ICP footers
(版权所有, 粤ICP备…), breadcrumbs (您的位置: 首页 > …) and page widgets (浏览次数, 字体 大 中 小,
打印本页, 上一篇/下一篇, 相关阅读 …). :func:`strip_boilerplate` drops such lines whole and trims
a widget tail off a metadata line (``发布日期:2024-07-18 09:26浏览次数:`` keeps its date).

The input is already normalised (:func:`huiqi.text.normalize.normalize`): ASCII punctuation
and digits are half-width, so the patterns below only spell the half-width forms.

The rules look at a line's *shape* (short, no sentence ending, mostly a phone number, made only
of widget words) rather than at any one site's wording, and lines that look like the policy's
own structure (headings, 文号, 责任单位, dates) are never removed.
"""

from __future__ import annotations

import re

# --- phone numbers -----------------------------------------------------------------------------

MOBILE_RE = re.compile(r"(?<![\d.])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?![\d.])")
"""A mainland mobile number: 15915898572, 152-6623-5191, +86 159 1589 8572."""

SERVICE_RE = re.compile(r"(?<![\d.])[48]00[- ]?\d{3}[- ]?\d{4}(?![\d.])")
"""A 400/800 service number, the usual number of a company hotline."""

LANDLINE_RE = re.compile(r"(?<![\d.])(?:\(0\d{2,3}\)\s?|0\d{2,3}[- ]?)\d{7,8}(?:-\d{1,5})?(?![\d.])")
"""A landline with its area code: 0531-86051234, (0531)86051234, 010 12345678-123."""

PHONE_RE = re.compile(f"{MOBILE_RE.pattern}|{SERVICE_RE.pattern}|{LANDLINE_RE.pattern}")
"""Any phone number: mobile, service or landline."""

# Words of an advert or a site's contact box (加盟电话, 在线客服, 全国咨询热线 …).
_CONTACT_AD = re.compile(r"加盟|代理|客服|热线|欢迎|联系我们|在线|微信|QQ|免费|业务|合作|招商", re.IGNORECASE)
# A line that is only a contact widget's caption (全国咨询热线, 在线客服).
_CONTACT_CAPTION = re.compile(r"热线|客服|联系我们|在线咨询|在线留言|投诉建议")

# --- other furniture ---------------------------------------------------------------------------

_QR_CODE = re.compile(r"二维码|扫一扫|扫码|公众号|关注我们|微信客服|手机版|移动版")
_COPYRIGHT = re.compile(
    r"copyright|©|\(c\)\s*\d{4}|版权所有(?![人者])|all rights reserved|ICP[备证]|公网安备|网站备案|网站标识码"
    r"|网站地图|(?:主办|承办|协办)(?:单位)?:|(?:维护|运维)单位:|技术支持:|邮编:|邮政编码:",
    re.IGNORECASE,
)
_BREADCRUMB_START = re.compile(
    r"^(?:您的?|您所在的?|当前)(?:的)?(?:位置|所在位置)|^(?:网站)?(?:首页|主页)\s*(?:>|»|→|/)"
)
_BREADCRUMB_ARROW = re.compile(r"\s*(?:>|»|→)+\s*")
_WELCOME = re.compile(r"^欢迎(?:访问|光临|来到|进入|您)")
_PREV_NEXT = re.compile(r"^(?:上一篇|下一篇|上一条|下一条|上篇|下篇)\s*[::]?")
_AD_MARK = re.compile(r"(?<![a-z])ads?\d*$|广告(?:位|招租|合作|投放|联系)|^\[?广告\]?$", re.IGNORECASE)

# Page widgets. Strong words make a line a widget line; weak words (font sizes) only count
# when a strong word is present, so that a body line such as "中" is never taken for one.
_STRONG_WIDGETS = (
    "浏览次数|访问次数|访问量|浏览量|点击次数|点击数|点击量|点击率|阅读次数|阅读量|阅读数|阅读|浏览|"
    "字体|字号|打印本页|打印本文|打印文章|打印|关闭窗口|关闭本页|关闭|分享到|分享|收藏本页|加入收藏|收藏|"
    "设为首页|返回顶部|返回首页|返回列表|返回|顶部|精确检索|模糊检索|高级检索|开始检索|全文检索|站内搜索|"
    "检索|搜索|热点推荐|热门推荐|热点新闻|热门文章|相关阅读|相关文章|相关链接|相关新闻|相关推荐|推荐阅读|"
    "延伸阅读|我要纠错|纠错|视力保护色|无障碍|长者模式|适老化|简体版?|繁体版?|繁體|登录|注册|微博|微信|"
    "QQ空间|手机版|网站地图|联系我们|意见反馈|保存本页|上一页|下一页|首页|尾页|主页"
)
_WEAK_WIDGETS = "默认|超大|特大|较大|标准|[大中小]号?|A\\+|A-|T"
_WIDGET_WORD = re.compile(f"(?:{_STRONG_WIDGETS}|{_WEAK_WIDGETS})", re.IGNORECASE)
_STRONG_WORD = re.compile(_STRONG_WIDGETS, re.IGNORECASE)
_WIDGET_FILLER = re.compile(r"[\s\d:,;、/|()\[\]【】<>《》·•.\-_*次人]+")
# Where a widget tail may begin after real content (发布日期:2024-07-18 09:26浏览次数:).
_TAIL_START = re.compile(
    r"(?:浏览次数|访问次数|访问量|浏览量|点击次数|点击数|点击量|阅读次数|阅读量|阅读数|阅读|字体|字号)\s*:"
    r"|打印本页|关闭窗口|分享到|收藏本页|【\s*(?:打印|关闭|字体|大|收藏|分享|纠错)|\[\s*(?:打印|关闭)"
)

# --- the policy's own lines --------------------------------------------------------------------

_PROTECTED = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇\d]+[章条节]|[一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)"
    r"|\d+[.、](?!\d))"  # numbered headings and measures
    r"|〔\d{4}〕|\[\d{4}\]\d+号|\d{4}〕\d+号"  # 文号
    r"|责任单位|牵头单位|配合单位|按职责分工负责"  # measures and their departments
    r"|^\d{4}年\d{1,2}月\d{1,2}日$"  # signature date
)
_SENTENCE_END = re.compile(r"[。!?;]")
_SHORT = 150


def strip_boilerplate(text: str) -> str:
    """Return ``text`` without its website furniture lines (see the module docstring).

    Kept lines are returned unchanged, except a metadata line that loses its widget tail;
    runs of blank lines left behind are collapsed to one.
    """
    kept: list[str] = []
    for line in text.split("\n"):
        cleaned = clean_line(line)
        if cleaned is not None:
            kept.append(cleaned)
    return _collapse_blank_lines(kept)


def clean_line(line: str) -> str | None:
    """One line without its widget tail, or ``None`` when the whole line is furniture."""
    stripped = line.strip()
    if not stripped or _PROTECTED.search(stripped):
        return line
    if is_furniture(stripped):
        return None
    trimmed = _trim_widget_tail(stripped)
    if trimmed is None:
        return None
    return line if trimmed == stripped else trimmed


def is_furniture(line: str) -> bool:
    """Whether a whole (stripped, non-protected) line is website furniture."""
    if _is_copyright(line):
        return True
    if _SENTENCE_END.search(line) or len(line) > _SHORT:
        return False  # a sentence of the policy, even if it mentions a phone or 二维码
    return (
        _is_phone_line(line)
        or _is_qr_code(line)
        or _is_navigation(line)
        or _is_advert(line)
        or _is_widget_line(line)
    )


def _is_copyright(line: str) -> bool:
    return bool(_COPYRIGHT.search(line)) and (len(line) <= 80 or not _SENTENCE_END.search(line))


def _is_phone_line(line: str) -> bool:
    if "联系人" in line:
        return False  # the policy's own contact (联系人:王某,联系电话:0531-…)
    if not PHONE_RE.search(line):
        return len(line) <= 16 and bool(_CONTACT_CAPTION.search(line))
    rest = _WIDGET_FILLER.sub("", PHONE_RE.sub("", line))
    if len(rest) <= 2:
        return True  # a bare number
    if _CONTACT_AD.search(line) and len(line) <= 80:
        return True  # 加盟电话:152-…, 在线客服:159…
    return len(rest) <= 12 and bool(MOBILE_RE.search(line) or SERVICE_RE.search(line))


def _is_qr_code(line: str) -> bool:
    return len(line) <= 40 and bool(_QR_CODE.search(line))


def _is_navigation(line: str) -> bool:
    if _BREADCRUMB_START.search(line) or _PREV_NEXT.search(line):
        return True
    if _WELCOME.search(line) and len(line) <= 80:
        return True
    return len(line) <= 80 and _is_breadcrumb_trail(line)


def _is_breadcrumb_trail(line: str) -> bool:
    """首页 > 政务公开 > 政策文件: two or more arrows between short captions without figures
    (so that ``营业收入>1亿元 利润>1000万元`` is not one)."""
    parts = _BREADCRUMB_ARROW.split(line)
    return len(parts) >= 3 and all(len(p) <= 15 and not re.search(r"\d", p) for p in parts)


def _is_advert(line: str) -> bool:
    return len(line) <= 20 and bool(_AD_MARK.search(line))


def _is_widget_line(line: str) -> bool:
    """A line made only of widget words, counts and brackets (阅读:143, 字体:【 默认 超大)."""
    if not _STRONG_WORD.search(line):
        return False
    return not _WIDGET_FILLER.sub("", _WIDGET_WORD.sub("", line))


def _trim_widget_tail(line: str) -> str | None:
    """Cut a trailing run of widgets off a line; ``None`` when nothing else is left."""
    for match in _TAIL_START.finditer(line):
        if not _WIDGET_FILLER.sub("", _WIDGET_WORD.sub("", line[match.start() :])):
            head = line[: match.start()].rstrip(" :|")
            return head or None
    return line


def _collapse_blank_lines(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)
