"""The catalogues of data/vocabulary.d: every kind is named in a registry cell and found in a
clause, near-miss wordings are not, and the trigger-finding patterns they rely on hold.

Registry names and clause wordings here are written for these tests; the levels are the ones
the catalogues define (a place or level word before a kind states its level).
"""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from huiqi.rules.compile import (
    AmbiguousLevel,
    compile_incentive,
    find_trigger,
    not_an_enterprise,
    shared_head,
)
from huiqi.rules.model import MODE_APPLY, Rule, Uncompiled
from huiqi.rules.vocabulary import build_vocabulary, load_vocabulary

R, E = "recognition", "event"

# (table, kind, a registry name, the level it states, a clause subject, the level the rule requires)
CATALOGUE = [
    # science
    (R, "科技型中小企业", "浙江省科技型中小企业", "省级", "当年新认定为省级科技型中小企业的", "省级"),
    (R, "高成长科技型中小企业", "高成长科技型中小企业", None, "认定为高成长科技型中小企业的", None),
    (R, "创新型企业", "省级创新型示范企业", "省级", "首次被认定为国家级创新型示范企业的", "国家级"),
    (R, "市级高新技术企业", "市级高新技术企业", None, "新认定的台州市级高新技术企业", "市级"),
    (R, "创新型试点企业", "省级创新型试点企业", "省级", "首次被认定为市级创新型试点企业的", "市级"),
    (R, "创新型领军企业", "浙江省创新型领军企业", "省级", "新认定为创新型领军企业的", None),
    (R, "企业研究院", "省级企业研究院", "省级", "新认定的市级企业研究院", "市级"),
    (R, "重点企业研究院", "浙江省重点企业研究院", "省级", "新认定为省重点企业研究院的", None),
    (R, "重点农业企业研究院", "省级重点农业企业研究院", "省级", "新获批省级重点农业企业研究院的", "省级"),
    (
        R,
        "高新技术企业研究开发中心",
        "浙江省高新技术企业研究开发中心",
        "省级",
        "新认定为市级高新技术研究开发中心的",
        "市级",
    ),
    (
        R,
        "农业企业科技研发中心",
        "省级农业企业科技研发中心",
        "省级",
        "新认定为市级农业企业科技研发中心的",
        "市级",
    ),
    (
        R,
        "工程技术研究中心",
        "国家工程技术研究中心",
        "国家级",
        "首次被认定为省级工程技术研究中心的企业",
        "省级",
    ),
    (R, "重点实验室", "省级重点实验室", "省级", "新认定的国家重点实验室", "国家级"),
    (R, "工程实验室", "国家工程实验室", "国家级", "获得发展改革部门认定的国家工程实验室", "国家级"),
    (R, "院士专家工作站", "全国示范院士专家工作站", "国家级", "新建成市级院士专家工作站的建站单位", "市级"),
    (R, "科技企业孵化器", "国家级科技企业孵化器", "国家级", "新认定的省级科技孵化器", "省级"),
    (R, "众创空间", "杭州市众创空间", "市级", "新认定为国家级众创空间的", "国家级"),
    (R, "星创天地", "省级星创天地", "省级", "新认定为市级星创天地的", "市级"),
    (R, "大学科技园", "国家大学科技园", "国家级", "新认定为省级大学科技园的", "省级"),
    (R, "科技创新服务平台", "省级科技创新服务平台", "省级", "新认定为市级科技创新服务平台的", "市级"),
    (R, "新型研发机构", "省级新型研发机构", "省级", "新认定为省级新型研发机构的", "省级"),
    (R, "国际科技合作基地", "国家国际科技合作基地", "国家级", "新获批国家级国际科技合作基地的", "国家级"),
    (
        R,
        "产业技术创新战略联盟",
        "省级产业技术创新战略联盟",
        "省级",
        "牵头组建的联盟被认定为省级产业技术创新战略联盟的",
        "省级",
    ),
    (R, "农业科技企业", "浙江省农业科技企业", "省级", "新认定为市级农业科技企业的", "市级"),
    (R, "农业科技园区", "省级农业科技园区", "省级", "新认定为国家农业科技园区的", "国家级"),
    (R, "科技中介机构", "浙江省重点科技中介机构", "省级", "首次认定为省级重点科技中介机构的", "省级"),
    (E, "科技计划项目", "国家重点研发计划", "国家级", "列入国家重点研发计划的", "国家级"),
    (E, "科技成果转化", "技术转让", None, "企业承接科技成果转化技术合同的", None),
    (E, "产学研合作", "产学研合作项目", None, "企业开展产学研合作项目并备案的", None),
    (
        E,
        "科学技术奖",
        "浙江省科技进步二等奖",
        "省级二等奖",
        "获得国家科学技术进步奖一等奖的企业",
        "国家级一等奖",
    ),
    (E, "境外专利授权", "国外发明专利", None, "企业申请国外发明专利获得授权后", None),
    (E, "软件著作权登记", "计算机软件著作权", None, "当年新增软件著作权登记的企业", None),
    # industry
    (R, "企业管理创新奖", "浙江省企业管理创新奖", "省级", "当年获得省级管理创新奖的企业", "省级"),
    (E, "工业投资项目", "工业投资项目", None, "实施工业投资项目且投资额500万元以上的", None),
    (E, "软件能力成熟度评估", "CMMI三级", "三级", "首次通过CMMI(软件能力成熟度)四级评估的企业", "四级"),
    (E, "信息技术服务标准评估", "ITSS二级", "二级", "通过信息技术服务标准(ITSS)一级评估的企业", "一级"),
    (E, "信息系统集成资质", "信息系统集成及服务资质三级", "三级", "新取得信息系统集成资质二级的企业", "二级"),
    (R, "隐形冠军", "浙江省隐形冠军企业", "省级", "获评省级“隐形冠军”称号的企业", "省级"),
    (R, "技术创新示范企业", "国家技术创新示范企业", "国家级", "当年新认定为省级技术创新示范企业的", "省级"),
    (R, "创新型中小企业", "创新型中小企业", None, "新认定为创新型中小企业的", None),
    (
        R,
        "创新型示范中小企业",
        "浙江省创新型示范中小企业",
        "省级",
        "当年新获得省级创新型示范(中小)企业的",
        "省级",
    ),
    (R, "三名企业", "制造业三名企业", None, "首次认定为制造业“三名”企业的", None),
    (R, "制造业创新中心", "国家制造业创新中心", "国家级", "新认定为省级制造业创新中心的", "省级"),
    (R, "智能制造试点示范项目", "国家智能制造试点示范项目", "国家级", "当年度省级智能制造示范项目", "省级"),
    (
        R,
        "两化融合管理体系贯标试点",
        "国家两化融合管理体系贯标试点企业",
        "国家级",
        "列入省级“两化”融合管理体系贯标试点的企业",
        "省级",
    ),
    (R, "两化融合管理体系评定", "两化融合管理体系评定", None, "通过两化融合管理体系贯标认定的企业", None),
    (
        R,
        "两化融合示范企业",
        "省级两化深度融合示范企业",
        "省级",
        "新确认为国家级两化融合试点示范企业的",
        "国家级",
    ),
    (R, "绿色设计产品", "国家级绿色设计产品", "国家级", "列入省级绿色设计产品示范名单的", "省级"),
    (
        R,
        "绿色供应链管理企业",
        "国家绿色供应链管理示范企业",
        "国家级",
        "新列入国家级绿色供应链管理企业名单的",
        "国家级",
    ),
    (R, "绿色园区", "省级绿色园区", "省级", "新认定为国家级绿色园区的", "国家级"),
    (R, "首批次新材料", "浙江省首批次新材料", "省级", "产品列入省级首批次新材料目录的", "省级"),
    (R, "首版次软件", "浙江省首版次软件产品", "省级", "新认定为首版次软件产品的", None),
    (R, "软件企业", "省级软件企业", "省级", "通过省级软件企业核定的", "省级"),
    (R, "软件产品", "省级软件产品", "省级", "当年新核定的省级软件产品", "省级"),
    (
        R,
        "安全生产标准化达标企业",
        "安全生产标准化二级企业",
        "省级",
        "当年被认定为安全生产标准化一级企业的",
        "国家级",
    ),
    (R, "节水型企业", "浙江省节水型企业", "省级", "首次获得省级节水型企业称号的", "省级"),
    (
        R,
        "资源节约型环境友好型企业",
        "国家级资源节约型、环境友好型企业",
        "国家级",
        "新获得国家级“资源节约型/环境友好型”企业认定的",
        "国家级",
    ),
    (R, "绿色企业", "浙江省绿色企业", "省级", "新评为省级绿色企业的", "省级"),
    (R, "循环经济示范单位", "省级循环经济示范企业", "省级", "新创建成功的国家级循环经济试点", "国家级"),
    (R, "能源计量示范单位", "省级能源计量示范单位", "省级", "新获得省级能源计量示范单位的企业", "省级"),
    (
        R,
        "信息化示范试点企业",
        "省级制造业与互联网融合发展示范试点",
        "省级",
        "当年列入省级信息化示范试点企业的",
        "省级",
    ),
    (R, "管理创新示范企业", "省级管理创新示范企业", "省级", "被评为省管理创新示范企业的", "省级"),
    (R, "管理创新试点企业", "省级管理创新试点企业", "省级", "被评为省管理创新试点企业的", "省级"),
    (
        R,
        "工业设计示范基地",
        "省级特色工业设计示范基地",
        "省级",
        "首次被认定为省级工业设计示范基地的单位",
        "省级",
    ),
    (E, "技术改造项目", "技改项目", None, "当年列入省级技术改造重点项目的企业", "省级"),
    (E, "新产品鉴定", "省级工业新产品", "省级", "当年通过省级新产品鉴定的", "省级"),
    (E, "优秀工业新产品", "优秀工业新产品", None, "被评定为省优秀工业新产品(新技术)二等奖的", "二等奖"),
    (E, "清洁生产审核", "清洁生产审核验收", None, "当年新通过省级清洁生产审核的企业", "省级"),
    (E, "信息化项目", "企业信息化项目", None, "列入省级工业信息化建设项目的企业", "省级"),
    (E, "污染防治项目", "污染防治工程", None, "工业企业重点污染源防治工程", None),
    (E, "医疗器械注册", "医疗器械注册证", None, "新取得Ⅲ类医疗器械注册证号的", "第三类"),
    (E, "药品注册", "新药证书", None, "新获得国家新药注册批文的", None),
    (E, "贸易救济应诉", "反倾销应诉", None, "反倾销、反补贴等贸易壁垒方面应诉的企业", None),
    (E, "文艺精品获奖", "五个一工程奖", None, "入选省“五个一工程奖”的作品", "省级"),
    (E, "标准创新贡献奖", "标准创新贡献奖", None, "首次获浙江省标准创新重大贡献奖的企业", "重大贡献奖"),
    (E, "海外工程师引进", "海外工程师", None, "入选市级“海外工程师”的", "市级"),
    (E, "企业上云", "企业上云", None, "新增企业上云项目", None),
    (E, "合同能源管理", "合同能源管理项目", None, "实施合同能源管理项目的", None),
    (E, "淘汰落后产能", "淘汰落后设备", None, "企业淘汰落后设备的", None),
    # commerce
    (R, "电子商务示范企业", "浙江省电子商务示范企业", "省级", "新认定为国家级电子商务示范企业的", "国家级"),
    (R, "电子商务示范基地", "国家电子商务示范基地", "国家级", "新认定为省级电子商务示范园区的", "省级"),
    (R, "电子商务专业村", "省级电子商务专业村", "省级", "经认定为市级电子商务专业村的", "市级"),
    (R, "特色商业街", "省级特色商业街", "省级", "新创市级商业特色街的创建单位", "市级"),
    (
        R,
        "供应链创新与应用试点",
        "国家供应链创新与应用试点企业",
        "国家级",
        "列入省级供应链创新与应用试点的商业企业",
        "省级",
    ),
    (R, "出口名牌", "浙江出口名牌", None, "首次获得“浙江出口名牌”的企业", None),
    (R, "海关高级认证企业", "AEO高级认证企业", None, "当年被海关评为高级认证企业的", None),
    (
        R,
        "出口产品质量安全示范企业",
        "国家级出口产品质量安全示范企业",
        "国家级",
        "新认定为省级出口产品质量安全示范企业的",
        "省级",
    ),
    (R, "外贸公共服务平台", "省级外贸公共服务平台", "省级", "被认定为市级外贸综合服务平台的", "市级"),
    (
        R,
        "对外贸易预警示范点",
        "省级对外贸易预警示范点",
        "省级",
        "新认定为省级对外贸易预警机制示范点的",
        "省级",
    ),
    (R, "服务贸易示范基地", "省级服务贸易示范基地", "省级", "首次获批成为省级服务贸易发展基地", "省级"),
    (R, "服务业重点企业", "浙江省服务业重点企业", "省级", "年度列入省服务业重点企业的", "省级"),
    (
        R,
        "现代服务业集聚示范区",
        "省级现代服务业集聚示范区",
        "省级",
        "列入国家级现代服务业集聚示范区的",
        "国家级",
    ),
    (R, "2A级物流企业", "AA级物流企业", None, "首次被评为2A级物流企业的", None),
    (R, "A级物流企业", "A级物流企业", None, "首次被评为A级物流企业的", None),
    (E, "出口信用保险", "短期出口信用保险", None, "企业投保出口信用保险的", None),
    (E, "境外投资", "境外投资项目", None, "经备案到境外设立企业的", None),
    (E, "对外承包工程", "对外承包工程", None, "经备案开展对外承包工程的企业", None),
    (E, "办展", "举办展会", None, "承办国际性会展活动的", "国际性"),
    (E, "限上入统", "限上入库", None, "首次纳入限额以上统计的商贸企业", None),
    # tourism, culture and sport
    (R, "五星级饭店", "五星级旅游饭店", None, "新评定为五星级旅游饭店的", None),
    (R, "四星级饭店", "四星级酒店", None, "新评为四星级饭店的", None),
    (R, "三星级饭店", "三星级宾馆", None, "新评定为三星级饭店的", None),
    (R, "金叶级绿色旅游饭店", "金叶级绿色旅游饭店", None, "新评定为金叶级绿色饭店的", None),
    (R, "银叶级绿色旅游饭店", "银叶级绿色饭店", None, "新评定为银叶级绿色旅游饭店的", None),
    (R, "金鼎级特色文化主题饭店", "金鼎级特色文化主题饭店", None, "首次评定为金鼎级特色文化主题饭店的", None),
    (R, "银鼎级特色文化主题饭店", "银鼎级主题饭店", None, "首次评定为银鼎级特色文化主题饭店的", None),
    (R, "五星级品质旅行社", "五星级品质旅行社", None, "首次评定为五星级品质旅行社的", None),
    (R, "四星级品质旅行社", "四星品质旅行社", None, "首次评定为四星级品质旅行社的", None),
    (R, "三星级品质旅行社", "三星级旅行社", None, "首次评定为三星级品质旅行社的", None),
    (R, "百强旅行社", "全国百强旅行社", "国家级", "首次获省“百强”旅行社的", "省级"),
    (R, "白金宿", "白金宿级民宿", None, "新评为白金宿级民宿的", None),
    (R, "金宿", "金宿级民宿", None, "新评为金宿级民宿的", None),
    (R, "银宿", "银宿级民宿", None, "新评为银宿级精品民宿的", None),
    (
        R,
        "五星级农家乐经营户",
        "浙江省五星级农家乐经营户",
        "省级",
        "当年初次获评五星级农家乐经营户(点)的",
        None,
    ),
    (R, "四星级农家乐经营户", "四星级农家乐", None, "当年初次获评四星级农家乐经营户的", None),
    (R, "三星级农家乐经营户", "三星级农家乐经营户", None, "当年初次获评三星级农家乐经营户(点)的", None),
    (R, "二星级农家乐经营户", "二星级农家乐", None, "当年初次获评二星级农家乐经营户的", None),
    (R, "一星级农家乐经营户", "一星级农家乐经营户(点)", None, "当年初次获评一星级农家乐经营户(点)的", None),
    (R, "农家乐集聚村", "省级农家乐集聚村", "省级", "当年初次获评市级农家乐集聚村的", "市级"),
    (R, "农家乐特色点", "省级农家乐特色点", "省级", "当年初次获评区级农家乐特色点的", "区县级"),
    (R, "3A级景区村庄", "AAA级景区村庄", None, "成功创建省AAA级景区村庄的", "省级"),
    (R, "2A级景区村庄", "AA级景区村庄", None, "成功创建省AA级景区村庄的", "省级"),
    (R, "A级景区村庄", "A级景区村庄", None, "成功创建省A级景区村庄的", "省级"),
    (R, "旅游风情小镇", "浙江省旅游风情小镇", "省级", "创建成省级旅游风情小镇的", "省级"),
    (R, "全域旅游示范区", "国家全域旅游示范区", "国家级", "成功创建省级全域旅游示范县的", "省级"),
    (R, "旅游度假区", "国家级旅游度假区", "国家级", "新评定为省级旅游度假区的", "省级"),
    (R, "生态旅游区", "国家生态旅游示范区", "国家级", "新评定为省级生态旅游区的", "省级"),
    (R, "智慧旅游示范企业", "省级智慧旅游示范企业", "省级", "新评定为省级智慧旅游示范企业的", "省级"),
    (R, "文化产业示范基地", "国家文化产业示范基地", "国家级", "被评为省级文化产业园区(示范基地)的", "省级"),
    (R, "重点文化企业", "省级重点文化企业", "省级", "被认定为国家级重点(特色)文化产业企业的", "国家级"),
    (R, "文化出口重点企业", "国家文化出口重点企业", "国家级", "获得省级文化产业出口基地的", "省级"),
    (R, "体育产业示范基地", "国家体育产业示范基地", "国家级", "新认定为省级体育产业示范基地", "省级"),
    (R, "体育产业示范单位", "国家体育产业示范单位", "国家级", "新认定为国家体育产业示范单位", "国家级"),
    (R, "体育产业示范项目", "省级体育产业示范项目", "省级", "新认定为国家体育产业示范项目", "国家级"),
    (E, "节会举办", "旅游节庆活动", None, "经认可举办旅游节庆活动的企业", None),
    (E, "赛事举办", "商业体育赛事", None, "承办国际性商业体育赛事的", "国际性"),
    # finance
    (E, "股份制改造", "股改", None, "完成股份制改造的企业", None),
    (E, "上市辅导备案", "IPO辅导备案", None, "拟上市企业报浙江证监局辅导备案的", None),
    (E, "上市辅导验收", "辅导验收", None, "通过上市辅导验收的企业", None),
    (E, "上市申报受理", "IPO申报受理", None, "上市申报材料报证监会受理的", None),
    (E, "上市审核通过", "过会", None, "首发申请获发审委审核通过的", None),
    (E, "并购重组", "兼并重组", None, "本市企业兼并重组市外企业的", None),
    (E, "上市公司再融资", "定向增发", None, "上市公司实现再融资的", None),
    (E, "债券发行", "公司债", None, "成功发行债务融资工具的企业", None),
    (E, "知识产权质押融资", "专利权质押贷款", None, "企业获得专利权质押贷款的", None),
    (E, "专利保险", "专利保险", None, "企业投保专利保险的", None),
    # quality, brands, standards and credit
    (R, "浙江制造认证", "品字标浙江制造", None, "新获得“浙江制造”认证的企业", None),
    (R, "浙江制造精品", "浙江制造精品", None, "当年新获得“浙江制造精品”的企业", None),
    (R, "中国质量奖", "中国质量奖", None, "首次获得中国质量奖的企业", None),
    (R, "中国质量奖提名奖", "中国质量奖提名奖", None, "首次获得中国质量奖提名奖的企业", None),
    (R, "全国质量标杆", "全国质量标杆企业", None, "当年新获得全国质量标杆的", None),
    (R, "守合同重信用企业", "AAA级守合同重信用企业", None, "首次获得省级“守合同重信用”的企业", "省级"),
    (R, "信用管理示范企业", "省级信用管理示范企业", "省级", "新认定为市级信用管理示范企业的", "市级"),
    (R, "知名商号", "浙江省知名商号", "省级", "当年新获得省知名商号的", "省级"),
    (R, "商标品牌示范企业", "浙江省商标品牌示范企业", "省级", "当年新获得市级商标品牌示范企业的", "市级"),
    (R, "商标战略示范企业", "国家商标战略实施示范企业", "国家级", "新获得国家级商标战略示范企业", "国家级"),
    (R, "商标品牌基地", "省级专业商标品牌基地", "省级", "新认定为国家级专业商标品牌基地的", "国家级"),
    (
        R,
        "企业技术标准创新基地",
        "国家企业技术标准创新基地",
        "国家级",
        "获国家级企业技术标准创新基地的企业",
        "国家级",
    ),
    (
        R,
        "标准化技术委员会秘书处",
        "全国专业标准化技术委员会秘书处",
        "国家级",
        "新获批设立全国专业标准化技术委员会秘书处的单位",
        "国家级",
    ),
    (R, "采标产品", "采标标志证书", None, "获得采标确认证书的", None),
    (R, "专利示范企业", "浙江省专利示范企业", "省级", "企业获得省专利示范企业认定的", "省级"),
    (R, "CNAS实验室认可", "CNAS实验室认可", None, "首次通过CNAS认可的企业实验室", None),
    (
        E,
        "管理体系认证",
        "质量管理体系认证",
        "质量管理体系",
        "省级重点用能企业首次通过能源管理体系认证的",
        "能源管理体系",
    ),
    (E, "产品认证", "CE认证", "欧盟CE", "新获得欧盟CE认证的产品", "欧盟CE"),
    (E, "商标注册", "马德里商标国际注册", "境外", "企业境外注册商标的", "境外"),
    # talent and employment
    (R, "博士后科研工作站", "国家级博士后科研工作站", "国家级", "建立省级博士后科研工作站的", "省级"),
    (
        R,
        "博士后创新实践基地",
        "市级博士后创新实践基地",
        "市级",
        "新建市级博士后创新实践基地的建站单位",
        "市级",
    ),
    (R, "技能大师工作室", "国家级技能大师工作室", "国家级", "列入省级技能大师工作室的", "省级"),
    (
        R,
        "高技能人才培训基地",
        "省级高技能人才培训基地",
        "省级",
        "新认定为国家级高技能人才培训基地的",
        "国家级",
    ),
    (R, "就业见习基地", "省级高校毕业生就业见习基地", "省级", "被认定为市级见习基地的", "市级"),
    (R, "人力资源服务产业园", "国家级人力资源服务产业园", "国家级", "新认定的省级人力资源服务产业园", "省级"),
    (R, "创业孵化示范基地", "省级创业孵化示范基地", "省级", "新认定为省级创业孵化示范基地的", "省级"),
    (R, "大学生创业示范园", "市级大学生创业示范园", "市级", "新评为区级大学生创业示范园的", "区县级"),
    (
        R,
        "小微企业创业创新基地",
        "国家小型微型企业创业创新示范基地",
        "国家级",
        "被列为省级小微企业创业创新园(基地)的",
        "省级",
    ),
    (E, "博士后进站", "博士后进站", None, "工作站每招收一名博士后研究人员的", None),
    (E, "吸纳就业", "吸纳就业", None, "小微企业新招用高校毕业生并缴纳社会保险费的", "高校毕业生"),
    (E, "职业技能培训", "新型学徒制", None, "企业开展岗前培训的", None),
    # construction
    (
        R,
        "工程总承包试点企业",
        "浙江省工程总承包试点企业",
        "省级",
        "新获得“浙江省工程总承包试点企业”称号的企业",
        "省级",
    ),
    (E, "优质工程奖", "鲁班奖", "鲁班奖", "承建工程获鲁班奖的", "鲁班奖"),
    (E, "工法", "省级工法", "省级", "获得国家级工法的", "国家级"),
    (E, "文明标化工地", "安全文明标化工地", None, "创全国AAA级文明标化工地的", "国家级"),
    (E, "绿色施工示范工地", "绿色施工工地", None, "获得省级绿色施工工地并被列为承建单位的", "省级"),
    (
        E,
        "建筑业新技术应用示范工程",
        "建筑业新技术应用示范工程",
        None,
        "获得省级建筑业创新技术应用示范工程的",
        "省级",
    ),
    (E, "施工资质晋升", "施工总承包特级资质", "特级", "企业晋升为房建施工总承包特级资质的", "特级"),
    # agriculture
    (R, "农业龙头企业", "农业产业化国家重点龙头企业", "国家级", "新认定为省级骨干农业龙头企业的", "省级"),
    (R, "农民专业合作社示范社", "国家农民合作社示范社", "国家级", "新评为省级农民专业合作社示范社的", "省级"),
    (R, "示范性家庭农场", "省级示范性家庭农场", "省级", "新评为市级示范性家庭农场的", "市级"),
    (R, "现代农业园区", "省级现代农业园区", "省级", "新认定为国家现代农业产业园的", "国家级"),
]
# Event kinds that only an officer's condition names (their words are too common in clauses).
WRITTEN_ONLY = {"人才引进"}

DOCUMENT = {"document": {"title": "测试文件", "effective_from": "2024-01-01"}, "incentives": []}


def catalogue_kinds() -> set[tuple[str, str]]:
    """Every (table, kind) the files of data/vocabulary.d define."""
    folder = resources.files("huiqi.data").joinpath("vocabulary.d")
    kinds = set()
    for part in folder.iterdir():
        if part.name.endswith(".toml"):
            raw = tomllib.loads(part.read_text("utf-8"))
            kinds |= {(table, kind) for table in (R, E) for kind in raw.get(table, {})}
    return kinds


def compile_one(subject: str, text: str | None = None, **fields) -> Rule | Uncompiled:
    incentive = {
        "subject": subject,
        "text": text or f"对{subject},给予10万元奖励",
        "kind": "fixed",
        "amount_wan": 10.0,
    }
    return compile_incentive({**incentive, **fields}, 0, DOCUMENT, 1, None, load_vocabulary())


def test_every_catalogue_kind_has_a_row_here():
    listed = {(table, kind) for table, kind, *_ in CATALOGUE} | {(E, k) for k in WRITTEN_ONLY}
    assert listed == catalogue_kinds()


@pytest.mark.parametrize(
    ("table", "kind", "name", "level"), [row[:4] for row in CATALOGUE], ids=[r[1] for r in CATALOGUE]
)
def test_a_registry_name_resolves_to_the_kind(table, kind, name, level):
    vocab = load_vocabulary()
    resolved = vocab.resolve(name, table)
    assert resolved is not None and resolved.kind == kind
    stated = resolved.level if table == R else vocab.event_level(kind, name)
    assert stated == level


@pytest.mark.parametrize(
    ("table", "kind", "subject", "level"),
    [(r[0], r[1], r[4], r[5]) for r in CATALOGUE],
    ids=[r[1] for r in CATALOGUE],
)
def test_a_clause_wording_compiles_to_the_kind(table, kind, subject, level):
    rule = compile_one(subject)
    assert isinstance(rule, Rule), rule.reason
    assert rule.table == table and kind in rule.fact_kinds
    assert (rule.level_of(kind) if table == R else rule.level) == level


# --- aliases that could take a match that is not theirs


@pytest.mark.parametrize(
    ("clause", "table", "kinds"),
    [
        ("新评为白金宿级民宿的", R, ["白金宿"]),  # 金宿 lies inside 白金宿
        ("首次被评为AAA级物流企业的", R, ["3A级物流企业"]),  # and A级物流企业 inside AAA级
        ("首次获得中国质量奖提名奖的", R, ["中国质量奖提名奖"]),
        ("新认定为国家级小型微型企业创新创业示范基地的", R, ["小微企业创业创新基地"]),  # not 创业孵化示范基地
        ("新认定为浙江省农业研发中心的", R, ["农业企业科技研发中心"]),  # not 研发中心
        ("新认定为省级科技企业孵化器(含众创空间)的", R, ["科技企业孵化器"]),  # an aside is not a second title
        ("企业申请国外发明专利获得授权后", E, ["境外专利授权"]),  # not the domestic 专利授权
        ("新认定为全国中小企业股份转让系统挂牌企业的", E, ["挂牌"]),
    ],
)
def test_the_longer_name_keeps_its_match(clause, table, kinds):
    found = find_trigger(load_vocabulary(), clause)
    assert found is not None and found[0] == table and [m.kind for m in found[1]] == kinds


@pytest.mark.parametrize(
    "subject",
    [
        "被列入省级“隐形冠军”培育企业的",  # a candidate list, not the title
        "列入市科技企业孵化器(含众创空间)培育对象的",
        "入驻科技企业孵化器的小微企业",  # located in it, not holding it
        "被评为省级优秀众创空间的",  # a rating among holders
        "收购行政认定的知名商号,经认定后",  # bought, not granted
        "购买数量为51~100台(套)的视同省级技术改造重点项目",  # treated as, not done
        "新认定为国家级企业研究院的",  # nor does 企业研究院 at 国家级
        "博士后工作站招收非在职博士后研究人员的",  # the station is the setting of another reward
        "院士专家工作站条件改善、项目研究和人才培养",
        "企业投保的境外投资保险、境外工程承包特险",  # 境外工程承包 is not 对外承包工程
        "众创联盟等新型孵化器的",  # a 新型孵化器 is not a 科技企业孵化器
        "实施股改企业引进战略投资的",  # 股改 describes the firm here
        "企业引进博士研究生的",  # 人才引进 is written by an officer, never read from a clause
        "推荐符合省海外工程师申报条件的人才项目",  # an application, not the title
    ],
)
def test_wordings_that_only_contain_a_kind_name_nothing(subject):
    assert find_trigger(load_vocabulary(), subject) is None


@pytest.mark.parametrize(
    "name",
    ["隐形冠军培育企业", "优秀众创空间", "拟上市辅导", "上市后备企业", "新型孵化器", "科技项目储备库"],
)
def test_registry_names_that_only_contain_a_kind_are_not_guessed(name):
    vocab = load_vocabulary()
    assert vocab.resolve(name, R) is None and vocab.resolve(name, E) is None


# --- trigger finding


@pytest.mark.parametrize(
    ("subject", "kind", "level"),
    [
        ("获省级技术创新示范企业称号的", "技术创新示范企业", "省级"),  # 获 before the title
        ("成功创建国家级工业设计中心的", "工业设计中心", "国家级"),
        ("新建成省级院士专家工作站的建站单位", "院士专家工作站", "省级"),
        ("当年度国家级智能制造示范项目", "智能制造试点示范项目", "国家级"),  # a time word before the title
    ],
)
def test_a_title_is_granted_by_a_verb_before_it(subject, kind, level):
    rule = compile_one(subject)
    assert isinstance(rule, Rule) and rule.fact_kinds == (kind,) and rule.level_of(kind) == level


def test_a_verb_after_a_title_does_not_grant_it():
    assert find_trigger(load_vocabulary(), "农家乐集聚村的景观改造项目建成后") is None


@pytest.mark.parametrize(
    ("subject", "text", "kind", "level"),
    [
        (
            "新评定为四星级的",
            "新评定为国家三星级、四星级、五星级旅游饭店的,分别奖励10万元、30万元、50万元",
            "四星级饭店",
            None,
        ),
        (
            "新评定为国家三星级的",
            "新评定为国家三星级、四星级、五星级旅游饭店的,分别奖励10万元、30万元、50万元",
            "三星级饭店",
            "国家级",
        ),
        ("新认定为省级的", "对新认定为省级、市级企业研究院的,分别奖励30万元、10万元", "企业研究院", "省级"),
        (
            "首次获省“百强”的",
            "首次获市“十强”、省“百强”、全国“百强”旅行社的,分别奖励5万元、10万元、30万元",
            "百强旅行社",
            "省级",
        ),
    ],
)
def test_a_list_item_takes_the_head_noun_written_after_the_last_item(subject, text, kind, level):
    rule = compile_one(subject, text)
    assert isinstance(rule, Rule) and rule.fact_kinds == (kind,) and rule.level_of(kind) == level


def test_a_list_item_is_not_completed_with_a_word_that_is_no_kind():
    text = "对被县、市、省、国家新认定的创业孵化示范基地一次性给予30万元、50万元、100万元、200万元的补助"
    whole, start, end = shared_head("被县的", text)
    assert whole[start:end] == "新认定"  # the 'head' here is a verb: the compiler does not take it
    assert isinstance(compile_one("被县的", text), Uncompiled)


@pytest.mark.parametrize(
    ("subject", "reason"),
    [
        ("企业在报会受理和过会环节", "多个事项"),  # two events, one amount each in the clause
        ("获得各类管理体系认证和各类产品认证的企业", "多个事项"),
        ("国家级和省级各类科技计划项目", "多个科技计划项目级别"),
    ],
)
def test_a_list_of_events_or_of_event_levels_is_left_for_an_officer(subject, reason):
    left = compile_one(subject)
    assert isinstance(left, Uncompiled) and reason in left.reason


def test_a_list_of_events_is_refused_where_the_trigger_is_found():
    with pytest.raises(AmbiguousLevel):
        find_trigger(load_vocabulary(), "企业在报会受理和过会环节")


def test_an_event_and_the_head_noun_after_it_are_not_a_list():
    rule = compile_one("融资额10亿元以下的成功上市企业")
    assert isinstance(rule, Rule) and rule.fact_kinds == ("上市",)


@pytest.mark.parametrize(
    ("subject", "other"),
    [
        ("在校大学生参加职业技能培训并取得证书的", True),
        ("银行对兼并重组企业实行综合授信", True),
        ("为我市全职引进领军人才的中介组织", True),
        ("在港区工作期间出国参加学术交流的高端人才", True),
        ("完成股改后企业引进的董事会秘书或企业高管", True),  # the persons brought in are paid
        ("获得国家科技重大专项的团队", True),
        ("乡镇当年举办旅游节庆活动的", True),
        ("获得实用新型专利授权的单位或个人", False),  # enterprises are among the recipients
        ("新增省级区域产业品牌基地的企业或协会", False),
        ("高层次人才创业企业获得专利权质押贷款的", False),  # the recipient is the enterprise
        ("小微企业新招用高校毕业生的", False),  # taken on by the enterprise
        ("工作站每招收一名博士后研究人员", False),
    ],
)
def test_recipients_that_are_persons_or_other_bodies_are_not_enterprises(subject, other):
    assert not_an_enterprise(subject) is other
    if other:
        left = compile_one(subject)
        assert isinstance(left, Uncompiled) and "企业以外的机构" in left.reason


def test_a_rate_on_an_event_whose_base_is_not_its_amount_needs_an_application():
    fields = {"kind": "ratio", "ratio": 0.3, "amount_wan": None, "cap_wan": 50.0}
    other = compile_one("成功实施并购重组的企业", base="所发生的中介费用", **fields)
    assert isinstance(other, Rule) and other.mode == MODE_APPLY and "中介费用" in other.open_conditions
    own = compile_one("成功实施并购重组的企业", base="并购交易额", **fields)
    assert isinstance(own, Rule) and own.open_conditions is None
    part = compile_one("上市公司实现再融资的", base="募集资金投资在本市的实际投资额", **fields)
    assert isinstance(part, Rule) and "不是事项记录的金额" in part.open_conditions


def test_the_equipment_investment_of_a_technical_upgrade_is_its_amount_band():
    rule = compile_one("设备投入100万元(含)以上的一般技术改造项目")
    assert isinstance(rule, Rule) and rule.fact_kinds == ("技术改造项目",) and rule.amount.low == 100


def test_an_event_that_records_no_amount_takes_no_amount_band():
    rule = compile_one("新增限额以上的批发企业,当年度销售额在1亿元(含)以上的")
    assert isinstance(rule, Rule) and rule.fact_kinds == ("限上入统",) and rule.amount is None
    assert [t.measure for t in rule.tests] == ["营业收入"]  # the figure stays a condition on figures


def test_a_rate_without_a_base_on_an_event_that_records_no_amount_needs_an_application():
    fields = {"kind": "ratio", "ratio": 1.0, "amount_wan": None}
    rule = compile_one("新注册落户的企业第一个完整年度内", **fields)
    assert isinstance(rule, Rule) and rule.fact_kinds == ("新设落户",)
    assert rule.mode == MODE_APPLY and "未载明基数" in rule.open_conditions


def test_a_lowest_event_level_requires_no_one_level():
    rule = compile_one("列入省级及以上科技计划项目的")
    assert isinstance(rule, Rule) and rule.level is None and rule.mode == MODE_APPLY
    assert compile_one("列入省级科技计划项目的").level == "省级"
    aside = compile_one("获得省级绿色施工工地(以省级以上部门命名为准)的")
    assert aside.level == "省级"  # a lowest level inside an aside is about something else


def test_a_re_evaluation_reads_as_a_review():
    rule = compile_one("省级对外贸易预警示范点通过年度复评的")
    assert isinstance(rule, Rule) and rule.review is True


# --- the synthetic population


def test_growing_the_vocabulary_leaves_the_synthetic_population_of_other_kinds_as_it_was(monkeypatch):
    from huiqi.registry import synthetic

    base = tomllib.loads(resources.files("huiqi.data").joinpath("vocabulary.toml").read_text("utf-8"))
    full = synthetic.generate(400, seed=2, annual=False, monthly=False)
    monkeypatch.setattr(synthetic, "load_vocabulary", lambda: build_vocabulary(base))
    seeds_only = synthetic.generate(400, seed=2, annual=False, monthly=False)
    for table in ("recognitions", "events"):
        own = getattr(seeds_only, table)
        kept = getattr(full, table).filter(getattr(full, table)["kind"].is_in(own["kind"].unique().to_list()))
        assert kept.equals(own), table
    assert full.recognitions.height > seeds_only.recognitions.height  # the catalogue kinds appear


# --- project events and tiers


def test_an_investment_project_takes_its_band_and_a_rate_of_its_own_amount():
    fields = {"kind": "ratio", "ratio": 0.1, "amount_wan": None, "cap_wan": 150.0}
    rule = compile_one(
        "企业实施的工业投资项目,投资额500万元以上2000万元以下的", base="项目实际完成投资额", **fields
    )
    assert isinstance(rule, Rule) and rule.fact_kinds == ("工业投资项目",)
    assert (rule.amount.low, rule.amount.high, rule.amount.high_inclusive) == (500.0, 2000.0, False)
    assert "不是事项记录的金额" not in (rule.open_conditions or "")  # the rate is of its own amount


def test_a_band_on_another_amount_than_the_events_is_no_band_and_is_quoted():
    rule = compile_one("本市企业兼并重组市内企业且投资额达1000万元以上的")
    assert isinstance(rule, Rule) and rule.fact_kinds == ("并购重组",) and rule.amount is None
    assert rule.mode == MODE_APPLY and "“投资额”不是事项记录的金额" in rule.open_conditions
    listing = compile_one("成功首发上市且募集资金达5亿元以上的企业")  # 募集资金 is a listing's 融资额
    assert isinstance(listing, Rule) and listing.amount.low == 50000.0


def test_a_row_naming_only_the_next_level_takes_the_event_of_the_row_before():
    first = compile_one("通过软件能力成熟度(CMMI)三级评估的企业")
    assert isinstance(first, Rule) and first.level == "三级"
    incentive = {
        "subject": "通过五级的企业",
        "text": "通过五级的企业,奖励50万元",
        "kind": "fixed",
        "amount_wan": 50.0,
    }
    vocab = load_vocabulary()
    rule = compile_incentive(incentive, 1, DOCUMENT, 1, None, vocab, first)
    assert isinstance(rule, Rule) and rule.fact_kinds == ("软件能力成熟度评估",) and rule.level == "五级"
    more = {**incentive, "subject": "通过五级的外资企业"}  # a row that says more is not read so
    assert isinstance(compile_incentive(more, 1, DOCUMENT, 1, None, vocab, first), Uncompiled)
    assert isinstance(compile_incentive(incentive, 1, DOCUMENT, 1, None, vocab, None), Uncompiled)


def test_a_standard_named_without_a_verb_of_drafting():
    lead = compile_one("主导行业标准的企业")
    assert isinstance(lead, Rule) and lead.fact_kinds == ("标准制定",) and lead.level == "行业标准"
    assert lead.mode == MODE_APPLY and "主导" in lead.open_conditions  # the role is not recorded
    made_in = compile_one("参与“浙江制造”标准起草工作的企业")
    assert isinstance(made_in, Rule) and made_in.level == "浙江制造标准"


@pytest.mark.parametrize(
    ("subject", "kind"),
    [
        ("当年新评定为四星级的旅游饭店", "四星级饭店"),
        ("新被评为三星的农家乐经营户(点)", "三星级农家乐经营户"),
        ("新评定为五星的旅行社", "五星级品质旅行社"),
    ],
)
def test_a_grade_written_apart_from_its_noun(subject, kind):
    rule = compile_one(subject)
    assert isinstance(rule, Rule) and rule.fact_kinds == (kind,)


def test_a_rule_that_would_match_any_level_where_levels_matter_needs_an_application():
    item = compile_one(
        "列入绿色供应链管理企业的",
        "对列入国家绿色工厂、绿色供应链管理企业的,分别给予100万元、50万元的奖励",
    )
    assert isinstance(item, Rule) and item.level is None and item.mode == MODE_APPLY
    assert "绿色供应链管理企业的级别" in item.open_conditions
    award = compile_one("获得专利优秀奖的企业")  # 专利获奖 has grades: 中国 or 省 is not named
    assert isinstance(award, Rule) and award.mode == MODE_APPLY and "级别" in award.open_conditions
    gold = compile_one("获得国家专利金奖的企业")
    assert isinstance(gold, Rule) and gold.level == "中国专利金奖"
    one_level = compile_one("首次被认定为高新技术企业的", "对首次被认定为国家高新技术企业的,奖励20万元")
    assert isinstance(one_level, Rule) and one_level.open_conditions is None  # it has one level only


def test_pilot_and_model_innovative_enterprises_are_different_lists():
    model = compile_one("首次被认定为省级创新型示范企业的")
    pilot = compile_one("首次被认定为省级试点企业的")  # a list item without its noun: not guessed
    assert isinstance(model, Rule) and model.fact_kinds == ("创新型企业",)
    assert isinstance(pilot, Uncompiled)
    assert compile_one("新认定为省级创新型试点企业的").fact_kinds == ("创新型试点企业",)


def test_a_prefectures_high_tech_list_is_not_the_national_title():
    """The national 高新技术企业 does not exist at 市级: 金华市级高新技术企业 is the city's own list."""
    [mention] = find_trigger(load_vocabulary(), "新认定的金华市级高新技术企业")[1]
    assert mention.kind == "市级高新技术企业"


def test_a_bare_city_word_after_a_county_level_city_is_its_county_level():
    """玉环市 is a county-level city: its 市 names no prefecture list."""
    county = compile_one("新认定为玉环市专利示范企业的")
    prefecture = compile_one("新认定为台州市专利示范企业的")
    assert county.level == "区县级" and prefecture.level == "市级"


def test_a_construction_firms_output_is_not_the_industrial_output():
    rule = compile_one("年建筑业产值超过50亿元的建筑业企业")
    assert isinstance(rule, Rule) and [t.measure for t in rule.tests] == ["建筑业总产值"]


def test_an_overseas_listing_is_the_listing_at_that_level():
    rule = compile_one("实现境外上市的企业")
    assert isinstance(rule, Rule) and rule.fact_kinds == ("上市",) and rule.level == "境外"


def test_a_data_management_maturity_rating_is_not_cmmi():
    """DCMM (数据管理能力成熟度) contains the letters of CMM but is another scheme."""
    assert find_trigger(load_vocabulary(), "首次通过DCMM三级评估的企业") is None


@pytest.mark.parametrize("subject", ["年销售收入首次达到规模以上的", "当年新进规模企业的"])
def test_first_reaching_the_statistical_size_is_the_status_event(subject):
    rule = compile_one(subject)
    assert isinstance(rule, Rule) and rule.fact_kinds == ("升规纳统",)
