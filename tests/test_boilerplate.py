"""Tests of huiqi.extract.boilerplate.strip_boilerplate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from huiqi.extract.boilerplate import PHONE_RE, clean_line, strip_boilerplate
from huiqi.text.normalize import normalize

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []

QR_RE = re.compile(r"二维码|扫一扫|扫码")
COPYRIGHT_RE = re.compile(r"copyright|©|版权所有|ICP备", re.IGNORECASE)

# A page as a browser's "copy all" gives it: furniture around a policy of my own invention.
WEB_PAGE = """欢迎访问临川企业服务网,如有项目申报需求,欢迎联系我们在线客服:13912345678
全国免费咨询热线
13912345678
项目申报ad3
当前位置:首页 > 政策法规 > 市级政策
首页 > 政策法规 > 正文
精确检索
开始检索

临川市人民政府关于支持中小企业专精特新发展的若干措施
发布日期:2023-05-06 10:30浏览次数:
来源:临川市工业和信息化局 发布时间:2023-05-06 【字体:大 中 小】【打印】【关闭】
浏览次数: 字体:【 默认 超大
临政发〔2023〕12号
各县(区)人民政府,市直各部门:
为加快培育专精特新中小企业,企业可拨打12345政务服务热线或电话0794-12345678咨询申报事宜。
一、加大财政奖励力度。对新认定的国家级专精特新"小巨人"企业,给予一次性奖励100万元。(责任单位:市工业和信息化局、市财政局)
二、优化服务热线
对营业收入>1亿元 利润>1000万元的企业另行奖励
企业通过扫描二维码即可完成线上申报,市工业和信息化局在一个工作日内受理。
(联系人:王某,联系电话:0794-8765432)
临川市人民政府
2023年5月6日
(此件公开发布)
分享到:
打印本页 关闭窗口
上一篇:关于开展2023年度技术改造项目申报的通知
下一篇:无
相关阅读
热点推荐
阅读:256
扫描二维码 关注我们
扫一扫 关注微信公众号
加盟电话:186-0000-1111
服务热线:400-800-1234
Copyright © 2021-2023 临川企业服务网 版权所有 备案号:赣ICP备12345678号 网站地图
主办单位:临川市人民政府办公室 网站标识码:3610000001
鲁公网安备 37010202000116号
"""

POLICY = [
    "临川市人民政府关于支持中小企业专精特新发展的若干措施",
    "临政发〔2023〕12号",
    "各县(区)人民政府,市直各部门:",
    "为加快培育专精特新中小企业,企业可拨打12345政务服务热线或电话0794-12345678咨询申报事宜。",
    "一、加大财政奖励力度。对新认定的国家级专精特新"
    '"小巨人"企业,给予一次性奖励100万元。(责任单位:市工业和信息化局、市财政局)',
    "二、优化服务热线",
    "对营业收入>1亿元 利润>1000万元的企业另行奖励",
    "企业通过扫描二维码即可完成线上申报,市工业和信息化局在一个工作日内受理。",
    "(联系人:王某,联系电话:0794-8765432)",
    "临川市人民政府",
    "2023年5月6日",
    "(此件公开发布)",
]


def test_web_page_keeps_exactly_the_policy() -> None:
    out = strip_boilerplate(normalize(WEB_PAGE))
    lines = [line for line in out.split("\n") if line.strip()]
    assert lines == [
        POLICY[0],
        "发布日期:2023-05-06 10:30",
        "来源:临川市工业和信息化局 发布时间:2023-05-06",
        *POLICY[1:],
    ]


@pytest.mark.parametrize(
    "line",
    [
        "加盟电话:152-6623-5191",
        "全国咨询热线",
        "15915898572",
        "159 1589 8572",
        "客服QQ:12345678 手机:13912345678",
        "服务热线:400-123-4567",
        "欢迎访问专精特新认定网,如有认定需求,欢迎联系我们在线客服:15915898572",
        "扫描二维码 关注我们",
        "扫一扫咨询微信客服",
        "Copyright © 2022-2023 某某管理咨询中心 版权所有备案号:粤ICP备2022013427号网站地图",
        "版权所有:临川市人民政府 主办单位:临川市人民政府办公室",
        "鲁ICP备05001921号-1",
        "网站标识码:3701000001",
        "地址:临川市人民路1号 邮编:344000 电话:0794-1234567",
        "您的位置: 首页 > 奖励政策",
        "首页 > 政务公开 > 政策文件 > 正文",
        "政务公开 » 政策文件 » 市政府文件",
        "上一篇:关于开展2023年度专精特新企业申报的通知",
        "下一篇:无",
        "浏览次数:",
        "浏览次数: 字体:【 默认 超大",
        "字体:【 大 中 小 】",
        "【打印】【关闭】",
        "[打印本页] [关闭窗口]",
        "精确检索",
        "开始检索",
        "热点推荐",
        "相关阅读",
        "阅读:143",
        "打印本页",
        "关闭窗口",
        "分享到:",
        "专精特新ad2",
        "广告位招租",
    ],
)
def test_furniture_line_is_removed(line: str) -> None:
    assert clean_line(normalize(line)) is None
    text = normalize(f"第一条 正文。\n{line}\n第二条 正文。")
    assert strip_boilerplate(text) == "第一条 正文。\n第二条 正文。"


@pytest.mark.parametrize(
    "line",
    [
        "济南市人民政府办公厅关于促进工业产品消费的实施意见",
        "济政办字〔2019〕62号",
        "滨发改工业〔2022〕156号",
        "发布日期:2023-06-30 14:18 信息来源:济南市工业和信息化局",
        "2016-07-29 16:50",
        "(此件公开发布)",
        "济南市人民政府办公厅",
        "2022年5月27日",
        "(一)加强组织领导",
        "二、优化服务热线",
        "3.推动企业绿色化发展。对新列入国家绿色工厂名单的工业企业,择优给予支持。(责任单位:市工信局)",
        "企业可拨打12345政务服务便民热线咨询政策,也可登录网站查询。",
        "开通企业服务热线,电话:0531-12345678,对企业诉求限时办结。",
        "(联系人:王某,联系电话:0531-86051234)",
        "企业通过扫描二维码即可完成申报,市工信局在一个工作日内受理。",
        "通过手机报、政务网、新闻客户端等宣传政策",
        "对营业收入>1亿元 利润>1000万元的企业给予奖励",
        "建设单位:临川市工业投资有限公司",
        "关于提升政务网站点击率的通知",
        "首页设计与品牌推广支持",
        "阅读推广活动",
        "上一年度营业收入达到1.5亿元",
        "中",
    ],
)
def test_policy_line_is_kept(line: str) -> None:
    text = normalize(line)
    assert clean_line(text) == text
    assert strip_boilerplate(text) == text


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("发布日期:2024-07-18 09:26浏览次数:", "发布日期:2024-07-18 09:26"),
        ("发布日期:2024-07-18 09:26 浏览次数:1024", "发布日期:2024-07-18 09:26"),
        ("信息来源:济南市工业和信息化局浏览次数:12", "信息来源:济南市工业和信息化局"),
        ("来源:市工信局 发布时间:2023-01-01 阅读:9 【打印】【关闭】", "来源:市工信局 发布时间:2023-01-01"),
        ("发布时间:2023-05-06 【字体:大 中 小】", "发布时间:2023-05-06"),
        ("成文日期:2023-05-06 | 分享到:", "成文日期:2023-05-06"),
    ],
)
def test_widget_tail_is_trimmed(line: str, kept: str) -> None:
    assert clean_line(normalize(line)) == kept


def test_blank_lines_are_collapsed_and_edges_trimmed() -> None:
    text = "\n\n精确检索\n\n标题\n\n\n\n相关阅读\n\n正文。\n\n阅读:3\n\n"
    assert strip_boilerplate(text) == "标题\n\n正文。"


def test_phone_re() -> None:
    assert PHONE_RE.fullmatch("152-6623-5191")
    assert PHONE_RE.fullmatch("15915898572")
    assert PHONE_RE.fullmatch("0531-86051234")
    assert PHONE_RE.fullmatch("(0531)86051234")
    assert PHONE_RE.fullmatch("400-123-4567")
    for not_a_phone in ["2016-07-29 16:50", "12345", "1.5亿元", "〔2019〕62号", "20230630", "100000000000"]:
        assert not PHONE_RE.search(not_a_phone), not_a_phone


@pytest.mark.seeds
@pytest.mark.skipif(not SEED_FILES, reason="../shared/seeds is not present")
@pytest.mark.parametrize("seed", SEED_FILES, ids=lambda path: path.name[:3])
def test_seed_documents(seed: Path) -> None:
    before = normalize(seed.read_text(encoding="utf-8"))
    after = strip_boilerplate(before)
    after_lines = [line.strip() for line in after.split("\n") if line.strip()]
    for line in after_lines:
        assert not PHONE_RE.search(line), line
        assert not QR_RE.search(line), line
        assert not COPYRIGHT_RE.search(line), line

    def duty_lines(text: str) -> list[str]:
        return [line.strip() for line in text.split("\n") if "责任单位" in line]

    assert duty_lines(after) == duty_lines(before)
    # every paragraph of the policy itself survives unchanged
    long_before = [line.strip() for line in before.split("\n") if len(line.strip()) >= 40]
    assert [line for line in after_lines if len(line) >= 40] == [
        line for line in long_before if not PHONE_RE.search(line) and not COPYRIGHT_RE.search(line)
    ]
    # the title (the first substantial line that is no advert) is now the first line
    title = next(line.strip() for line in before.split("\n") if len(line) >= 20 and not PHONE_RE.search(line))
    assert after_lines[0] == title
    assert len(after_lines) < len([line for line in before.split("\n") if line.strip()])


def test_seed_count() -> None:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    assert len(SEED_FILES) == 5
