"""Synthetic products and demands (合成产品与需求) for the synthetic population.

:func:`products_and_demands` gives the makers of a population (its enterprises with an industry
that has product kinds below) one to four products each — more for 规上 — named from the kinds
of their industry (a modifier, a head noun, sometimes a model number), with a category, a
description (what, a specification, a use) and now and then a certification (首台(套) for
equipment, 首批次 for materials, 首版次 for software, 优势工业产品目录). Demands come from buyers
— government bodies, project companies and enterprises of the population — in the population's
cities, each asking for a kind of product the population makes, in the words buyers use, with
deadlines in the two years after ``end_year`` or none. Everything is drawn column-wise from
hashed row numbers: the same seed gives the same rows.

>>> import polars as pl
>>> firms = pl.DataFrame({"uscc": ["A", "B"], "name": ["甲公司", "乙公司"], "region_code": ["370112", "370705"],
...                       "industry_code": ["C3421", "F5292"], "scale": ["规上", "规下"]})
>>> products, demands = products_and_demands(firms, seed=1, demands_per_product=0.5)
>>> set(products["uscc"]), products.columns == list(PRODUCT_COLUMNS)
({'A'}, True)
"""

from __future__ import annotations

import datetime as dt

import polars as pl

PRODUCT_COLUMNS = ("uscc", "name", "category", "description", "certifications", "capacity")
DEMAND_COLUMNS = ("demand_id", "buyer", "title", "description", "category", "region_code", "deadline")
TABLE_COLUMNS = {"products": PRODUCT_COLUMNS, "demands": DEMAND_COLUMNS}  # as written to CSV

# industry code → (category, heads, modifiers, specifications, uses, certification)
KINDS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], str]] = {
    "C1312": (
        "粮油制品",
        ("面粉", "小麦粉"),
        ("高筋", "低筋", "全麦", "饺子专用"),
        ("25公斤装", "灰分≤0.55%"),
        ("食品加工", "面点制作"),
        "",
    ),
    "C1329": (
        "饲料",
        ("配合饲料", "浓缩饲料"),
        ("猪用", "蛋鸡", "肉鸭", "水产"),
        ("粗蛋白≥16%", "颗粒料"),
        ("规模化养殖", "家庭农场"),
        "",
    ),
    "C1353": (
        "食品",
        ("肉制品", "速冻食品"),
        ("低温", "冷鲜", "调理"),
        ("真空包装", "-18℃冷冻保存"),
        ("商超配送", "团餐供应"),
        "",
    ),
    "C1391": (
        "淀粉",
        ("玉米淀粉", "变性淀粉"),
        ("食品级", "工业级"),
        ("水分≤14%", "白度≥88%"),
        ("造纸", "食品加工"),
        "",
    ),
    "C1495": (
        "生物制品",
        ("酶制剂", "益生菌"),
        ("复合", "饲用", "食品级"),
        ("活性≥10万U/g",),
        ("饲料添加", "食品发酵"),
        "",
    ),
    "C1512": (
        "酒类",
        ("白酒", "黄酒"),
        ("浓香型", "清香型", "纯粮"),
        ("52度", "500毫升"),
        ("商务接待", "节庆礼品"),
        "",
    ),
    "C1711": (
        "纺织品",
        ("棉纱", "坯布", "面料"),
        ("精梳", "纯棉", "涤棉混纺"),
        ("40支", "幅宽160厘米"),
        ("服装加工", "家纺"),
        "",
    ),
    "C1713": (
        "纺织品",
        ("印染布", "色织布"),
        ("活性印花", "数码印花"),
        ("色牢度4级",),
        ("服装加工", "家纺"),
        "",
    ),
    "C1819": (
        "服装",
        ("工作服", "防护服装", "制服"),
        ("阻燃", "防静电", "春秋款", "冬季"),
        ("涤棉面料", "反光条"),
        ("电力作业", "建筑施工", "机关单位"),
        "",
    ),
    "C1952": (
        "鞋类",
        ("劳保鞋", "运动鞋"),
        ("防砸", "防滑", "轻便"),
        ("钢包头", "橡胶大底"),
        ("工厂作业", "日常穿着"),
        "",
    ),
    "C1953": ("鞋材", ("鞋底", "鞋垫"), ("橡胶", "eva", "pu"), ("耐磨", "防滑"), ("制鞋",), ""),
    "C2110": (
        "家具",
        ("办公桌椅", "文件柜", "学生课桌椅"),
        ("钢木", "实木", "升降"),
        ("E1级板材", "冷轧钢板"),
        ("机关办公", "学校教室"),
        "优势工业产品目录",
    ),
    "C2221": (
        "纸制品",
        ("复印纸", "生活用纸"),
        ("a4", "a3", "木浆"),
        ("70克", "80克"),
        ("办公打印", "日常生活"),
        "",
    ),
    "C2231": (
        "包装制品",
        ("纸箱", "纸盒"),
        ("瓦楞", "五层", "彩印"),
        ("耐破强度高",),
        ("产品包装", "电商物流"),
        "",
    ),
    "C2319": ("印刷品", ("包装印刷品", "书刊"), ("彩色", "环保油墨"), ("胶印",), ("商品包装", "出版"), ""),
    "C2511": (
        "石油制品",
        ("润滑油", "沥青"),
        ("工业", "道路", "改性"),
        ("黏度等级46", "70号"),
        ("设备润滑", "道路铺装"),
        "",
    ),
    "C2614": (
        "化工原料",
        ("烧碱", "聚氯乙烯树脂", "双氧水"),
        ("工业级", "高纯"),
        ("含量≥99%",),
        ("化工生产", "水处理"),
        "",
    ),
    "C2619": ("化工原料", ("溶剂", "助剂"), ("环保", "工业级"), ("纯度≥99.5%",), ("涂料生产", "印染"), ""),
    "C2641": (
        "涂料",
        ("防火涂料", "防腐涂料", "水性涂料"),
        ("钢结构", "重防腐", "内墙"),
        ("耐火极限2小时", "附着力1级"),
        ("钢结构工程", "建筑装饰"),
        "",
    ),
    "C2651": (
        "新材料",
        ("工程塑料", "改性材料"),
        ("高性能", "阻燃", "耐高温"),
        ("拉伸强度≥60MPa",),
        ("汽车零部件", "电子电器"),
        "首批次",
    ),
    "C2669": (
        "化学制品",
        ("水处理药剂", "阻垢剂", "絮凝剂"),
        ("聚合", "无磷", "高效"),
        ("含量≥30%",),
        ("污水处理", "循环冷却水"),
        "",
    ),
    "C2720": (
        "药品",
        ("胶囊", "片剂", "注射液"),
        ("阿莫西林", "头孢", "降压"),
        ("通过一致性评价", "0.25克"),
        ("医院用药", "零售药店"),
        "",
    ),
    "C2761": (
        "生物药品",
        ("疫苗", "单抗注射液"),
        ("重组", "冻干"),
        ("预充式",),
        ("预防接种", "临床治疗"),
        "",
    ),
    "C2770": (
        "卫生材料",
        ("医用口罩", "医用纱布", "敷料"),
        ("一次性", "外科", "无菌"),
        ("三层", "符合行业标准"),
        ("医疗机构", "疾病防控"),
        "",
    ),
    "C2911": (
        "轮胎",
        ("子午线轮胎", "实心轮胎"),
        ("全钢载重", "半钢", "工程"),
        ("12r22.5", "耐磨"),
        ("重型卡车", "工程机械"),
        "",
    ),
    "C2922": (
        "塑料制品",
        ("塑料薄膜", "塑料管材"),
        ("pe", "pvc", "农用"),
        ("厚度0.08毫米", "dn110"),
        ("农业覆盖", "给排水"),
        "",
    ),
    "C2927": ("塑料制品", ("塑料托盘", "周转箱"), ("网格", "重型"), ("承重1吨",), ("仓储物流",), ""),
    "C3021": (
        "建筑材料",
        ("预制构件", "混凝土", "砌块"),
        ("装配式", "商品", "加气"),
        ("c30", "强度等级a5.0"),
        ("住宅建设", "市政工程"),
        "优势工业产品目录",
    ),
    "C3130": (
        "钢材",
        ("钢管", "钢板", "螺纹钢"),
        ("无缝", "热轧", "冷轧"),
        ("外径219毫米", "厚度10毫米"),
        ("管道工程", "建筑工程"),
        "",
    ),
    "C3216": ("有色金属", ("电解铝", "铝锭"), ("高纯", "重熔用"), ("纯度99.7%",), ("铝加工",), ""),
    "C3252": (
        "铝材",
        ("铝型材", "铝板"),
        ("建筑", "工业", "铝合金"),
        ("6063-t5",),
        ("门窗幕墙", "机械制造"),
        "",
    ),
    "C3311": (
        "钢结构",
        ("钢结构厂房", "钢结构桥梁", "网架"),
        ("重型", "轻型", "门式刚架"),
        ("跨度30米",),
        ("工业厂房", "体育场馆"),
        "优势工业产品目录",
    ),
    "C3321": (
        "工具",
        ("刀具", "量具", "五金工具"),
        ("硬质合金", "数控", "电动"),
        ("精度0.01毫米",),
        ("机械加工", "维修"),
        "",
    ),
    "C3391": (
        "铸件",
        ("铸件", "球墨铸铁管"),
        ("灰铁", "球铁", "精密"),
        ("重量5-500公斤",),
        ("机床床身", "给水管道"),
        "",
    ),
    "C3412": (
        "动力设备",
        ("柴油机", "发电机组"),
        ("船用", "柴油", "燃气"),
        ("功率500千瓦",),
        ("船舶", "备用电源"),
        "首台(套)",
    ),
    "C3421": (
        "金属切削机床",
        ("加工中心", "数控车床", "数控铣床", "磨床"),
        ("立式", "卧式", "龙门", "五轴"),
        ("主轴转速8000转每分钟", "定位精度0.008毫米"),
        ("模具加工", "汽车零部件加工"),
        "首台(套)",
    ),
    "C3441": (
        "泵",
        ("离心泵", "潜水泵", "化工泵"),
        ("不锈钢", "多级", "管道"),
        ("流量100立方米每小时", "扬程50米"),
        ("化工流程", "给排水"),
        "",
    ),
    "C3444": (
        "液压元件",
        ("液压缸", "液压泵", "液压阀"),
        ("工程机械", "重载", "比例"),
        ("额定压力31.5兆帕",),
        ("工程机械", "冶金设备"),
        "",
    ),
    "C3451": (
        "轴承",
        ("轴承", "轴承座"),
        ("深沟球", "圆锥滚子", "调心滚子"),
        ("p5级精度",),
        ("电机", "汽车"),
        "",
    ),
    "C3452": (
        "传动部件",
        ("减速机", "齿轮箱"),
        ("行星", "蜗轮蜗杆", "硬齿面"),
        ("速比10-100",),
        ("输送设备", "起重机械"),
        "",
    ),
    "C3484": (
        "通用零部件",
        ("紧固件", "法兰", "弹簧"),
        ("高强度", "不锈钢", "锻造"),
        ("8.8级", "dn100"),
        ("钢结构连接", "管道连接"),
        "",
    ),
    "C3511": (
        "矿山机械",
        ("掘进机", "盾构机", "破碎机"),
        ("悬臂式", "土压平衡", "圆锥"),
        ("截割功率200千瓦", "开挖直径6.4米"),
        ("煤矿巷道", "地铁隧道"),
        "首台(套)",
    ),
    "C3551": (
        "纺织机械",
        ("织机", "纺纱机"),
        ("喷气", "剑杆", "转杯"),
        ("车速800转每分钟",),
        ("纺织厂",),
        "",
    ),
    "C3571": (
        "农业装备",
        ("拖拉机", "联合收割机"),
        ("轮式", "履带式", "玉米"),
        ("功率120马力",),
        ("大田作业", "粮食收获"),
        "首台(套)",
    ),
    "C3572": (
        "农机",
        ("播种机", "植保机", "旋耕机"),
        ("精量", "自走式", "悬挂式"),
        ("作业幅宽2.5米",),
        ("小麦播种", "病虫害防治"),
        "",
    ),
    "C3612": (
        "汽车",
        ("新能源汽车", "电动客车", "城市客车"),
        ("纯电动", "插电混动", "氢燃料"),
        ("续航400公里", "10米级"),
        ("城市公交", "公务用车"),
        "首台(套)",
    ),
    "C3670": (
        "汽车零部件",
        ("制动片", "散热器", "座椅"),
        ("陶瓷", "铝制", "客车"),
        ("适配重型卡车",),
        ("整车配套", "售后维修"),
        "",
    ),
    "C3811": (
        "电机",
        ("电动机", "永磁同步电机", "伺服电机"),
        ("高效", "防爆", "变频"),
        ("ie3能效", "功率75千瓦"),
        ("风机水泵", "机床"),
        "",
    ),
    "C3824": (
        "电气设备",
        ("开关柜", "断路器", "配电箱"),
        ("高压", "低压", "智能"),
        ("额定电压10千伏",),
        ("配电工程", "工厂配电"),
        "",
    ),
    "C3841": (
        "电池",
        ("锂电池", "储能系统", "蓄电池"),
        ("磷酸铁锂", "动力", "铅酸"),
        ("容量280安时",),
        ("电网储能", "电动汽车"),
        "",
    ),
    "C3976": (
        "光电器件",
        ("led灯具", "光伏组件"),
        ("路灯", "单晶硅", "隧道"),
        ("功率550瓦", "光效150流明每瓦"),
        ("道路照明", "光伏电站"),
        "",
    ),
    "C3984": ("电子元件", ("扬声器", "麦克风"), ("微型", "车载"), ("灵敏度高",), ("手机", "汽车音响"), ""),
    "C3985": (
        "电子材料",
        ("覆铜板", "电子浆料"),
        ("高频", "导电"),
        ("厚度1.6毫米",),
        ("印制电路板",),
        "首批次",
    ),
    "C4011": (
        "工业自动化",
        ("可编程控制器", "变频器", "传感器"),
        ("中型", "通用", "智能"),
        ("支持以太网通讯",),
        ("生产线自动化", "楼宇控制"),
        "",
    ),
    "C4190": ("制品", ("工艺品", "日用品"), ("手工", "木制"), ("环保材料",), ("礼品", "家居"), ""),
    "I6513": (
        "软件",
        ("管理软件", "工业软件", "平台软件"),
        ("智慧园区", "生产执行", "财务"),
        ("支持私有化部署",),
        ("园区管理", "工厂数字化"),
        "首版次",
    ),
}
_BUYERS = (
    "城乡建设局",
    "交通运输局",
    "水务局",
    "教育局",
    "卫生健康委员会",
    "机关事务服务中心",
    "城市管理局",
    "农业农村局",
)
_WANT = ("采购", "一批", "需求", "供货", "")
_UNITS = ("台", "套", "批", "吨", "件")
_U64 = (1 << 64) - 1


def _u(seed: int, stream: int) -> pl.Expr:
    """Uniform in [0, 1), one per row, from the row number hashed with (seed, stream)."""
    key = (seed * 0x9E3779B97F4A7C15 + stream * 0xBF58476D1CE4E5B9) & _U64
    return (pl.int_range(pl.len(), dtype=pl.UInt64).hash(key) & ((1 << 52) - 1)).cast(pl.Float64) * 2.0**-52


def _pick(column: str, u: pl.Expr) -> pl.Expr:
    """An element of the list column ``column`` chosen by ``u``."""
    size = pl.col(column).list.len()
    return pl.col(column).list.get((u * size).floor().cast(pl.Int64).clip(0, size - 1))


def _kinds_frame() -> pl.DataFrame:
    codes = list(KINDS)
    return pl.DataFrame(
        {
            "industry_code": codes,
            "category": [KINDS[c][0] for c in codes],
            "heads": [list(KINDS[c][1]) for c in codes],
            "modifiers": [list(KINDS[c][2]) for c in codes],
            "specs": [list(KINDS[c][3]) for c in codes],
            "uses": [list(KINDS[c][4]) for c in codes],
            "cert": [KINDS[c][5] for c in codes],
        }
    )


def products_and_demands(
    enterprises: pl.DataFrame, seed: int = 7, end_year: int = 2025, demands_per_product: float = 0.03
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(products, demands) for ``enterprises`` (uscc, name, region_code, industry_code, scale)."""
    makers = enterprises.join(_kinds_frame(), on="industry_code", how="inner")
    counts = (1 + (_u(seed, 1) * 3).floor() + pl.when(pl.col("scale") == "规上").then(1).otherwise(0)).cast(
        pl.Int64
    )
    rows = makers.with_columns(k=counts).with_columns(i=pl.int_ranges(0, "k")).explode("i")
    model = pl.concat_str(
        pl.lit(" "),
        pl.lit("ABCDEFGHJKLMNPQRSTUVWXYZ").str.slice((_u(seed, 2) * 24).floor().cast(pl.Int64), 2),
        ((_u(seed, 3) * 900).floor().cast(pl.Int64) + 100).cast(pl.String),
    )
    rows = rows.with_columns(
        head=_pick("heads", _u(seed, 4)),
        modifier=_pick("modifiers", _u(seed, 5)),
        spec=_pick("specs", _u(seed, 6)),
        use=_pick("uses", _u(seed, 7)),
        with_model=_u(seed, 8) < 0.4,
        certified=_u(seed, 9),
        capacity=((_u(seed, 10) * 50).floor().cast(pl.Int64) + 1) * 100,
    )
    products = (
        rows.with_columns(
            name=pl.concat_str("modifier", "head", pl.when("with_model").then(model).otherwise(pl.lit(""))),
            description=pl.concat_str("modifier", "head", pl.lit(","), "spec", pl.lit(",用于"), "use"),
            certifications=pl.when((pl.col("cert") != "") & (pl.col("certified") < 0.06))
            .then(pl.col("cert"))
            .otherwise(pl.lit("")),
            capacity=pl.concat_str(pl.lit("年产"), pl.col("capacity").cast(pl.String), pl.lit("台(件)")),
        )
        .unique(["uscc", "name"], keep="first", maintain_order=True)
        .select(PRODUCT_COLUMNS)
    )
    return products, _demands(makers, products, seed, end_year, demands_per_product)


def _demands(
    makers: pl.DataFrame, products: pl.DataFrame, seed: int, end_year: int, share: float
) -> pl.DataFrame:
    """Demands for kinds of product the makers make, from buyers in the makers' cities."""
    n = int(products.height * share)
    if n == 0 or makers.is_empty():
        return pl.DataFrame(schema={c: pl.String for c in DEMAND_COLUMNS}).with_columns(
            deadline=pl.lit(None, pl.Date)
        )
    from huiqi.registry.codes import region_name

    pool = makers.sample(n, with_replacement=True, seed=seed, shuffle=True)
    cities = pool["region_code"].str.slice(0, 4).unique().to_list()
    city_names = {c: region_name(c + "00") for c in cities}
    bureau = pl.lit(pl.Series(list(_BUYERS))).gather((_u(seed, 21) * len(_BUYERS)).floor().cast(pl.Int64))
    want = pl.lit(pl.Series(list(_WANT))).gather((_u(seed, 22) * len(_WANT)).floor().cast(pl.Int64))
    unit = pl.lit(pl.Series(list(_UNITS))).gather((_u(seed, 23) * len(_UNITS)).floor().cast(pl.Int64))
    city = pl.col("region_code").str.slice(0, 4) + "00"
    from_enterprise = _u(seed, 24) < 0.3
    days = (_u(seed, 25) * 730).floor().cast(pl.Int32)
    start = dt.date(end_year + 1, 1, 1)
    frame = pool.with_columns(
        head=_pick("heads", _u(seed, 26)),
        modifier=_pick("modifiers", _u(seed, 27)),
        spec=_pick("specs", _u(seed, 28)),
        use=_pick("uses", _u(seed, 29)),
        quantity=((_u(seed, 30) * 20).floor().cast(pl.Int64) + 1).cast(pl.String),
        bureau=bureau,
        want=want,
        unit=unit,
        open_ended=_u(seed, 31) < 0.4,
        from_enterprise=from_enterprise,
        days=days,
    )
    return frame.select(
        demand_id=pl.concat_str(
            pl.lit("XQ"),
            pl.lit(f"{end_year + 1}-"),
            (pl.int_range(pl.len()) + 1).cast(pl.String).str.zfill(5),
        ),
        buyer=pl.when("from_enterprise")
        .then(pl.concat_str("name", pl.lit("("), "uscc", pl.lit(")")))
        .otherwise(
            pl.concat_str(
                pl.col("region_code").str.slice(0, 4).replace_strict(city_names), pl.lit("某"), "bureau"
            )
        ),
        title=pl.concat_str("use", pl.lit("用"), "modifier", "head", "want"),
        description=pl.concat_str(
            pl.lit("需要"), "modifier", "head", "quantity", "unit", pl.lit(","), "spec"
        ),
        category=pl.lit(None, pl.String),
        region_code=pl.when("from_enterprise").then("region_code").otherwise(city),
        deadline=pl.when("open_ended")
        .then(pl.lit(None, pl.Date))
        .otherwise(pl.lit(start) + pl.duration(days="days")),
    )
