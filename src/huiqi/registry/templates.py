"""Blank templates (填报模板) that officials fill in and hand back.

An .xlsx template has the header row on a sheet named after the table, code columns set to
text so Excel keeps leading zeros and all 18 characters of a credit code, drop-down hints
for short lists, and a second sheet 说明 that explains every column. A .csv template is the
header row alone (UTF-8 with BOM).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Literal

from huiqi.registry.codes import SECTION_NAMES
from huiqi.registry.schema import INDICATOR_UNITS, Column, TableSpec, table_spec
from huiqi.rules.vocabulary import LEVELS, Vocabulary, load_vocabulary

TYPE_NAMES = {
    "uscc": "18位代码(文本)",
    "text": "文字",
    "region": "6位行政区划代码",
    "industry": "行业代码",
    "scale": "规模",
    "date": "日期",
    "kind": "类型名称",
    "level": "级别",
    "bool": "是/否",
    "amount": "数字(万元)",
    "count": "整数",
    "period": "期间",
    "indicator": "指标名称",
    "number": "数字",
    "unit": "单位",
    "certifications": "资质(可多项)",
}
_TEXT_TYPES = {"uscc", "region", "industry", "period"}
_NOTES = (
    "第一行为表头;列的顺序可以调整,表头也可以写英文名(见上表)。",
    "必填列不能为空;表中多出的列会原样保留,不影响导入。",
    "有误的行不会导入,导入后会生成错误报告(行号、列、值、原因),改正后重新导入即可。",
    "同一文件中重复的行(如同一企业同一期间同一指标)只导入第一行,其余列入错误报告。",
)


def write_template(kind: str, path: Path | str, language: Literal["zh", "en"] = "zh") -> Path:
    """Write a blank template for ``kind``; .csv by suffix, otherwise .xlsx. Returns the path."""
    spec = table_spec(kind)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    headers = [c.zh if language == "zh" else c.name for c in spec.columns]
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            csv.writer(out).writerow(headers)
        return path
    _write_xlsx(spec, headers, path, language)
    return path


def _write_xlsx(spec: TableSpec, headers: list[str], path: Path, language: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    vocab = load_vocabulary()
    book = Workbook()
    sheet = book.active
    sheet.title = spec.zh if language == "zh" else spec.name
    sheet.append(headers)
    required = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        if column.required:
            cell.fill = required
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(14, 2.2 * len(headers[index - 1]) + 2)
        if column.type in _TEXT_TYPES:
            dimension.number_format = "@"
        elif column.type == "date":
            dimension.number_format = "yyyy-mm-dd"
        choices = _choices(spec, column)
        if choices and len(",".join(choices)) < 250:
            rule = DataValidation(type="list", formula1=f'"{",".join(choices)}"', allow_blank=True)
            rule.showErrorMessage = False  # a hint: other spellings are still accepted
            rule.add(f"{letter}2:{letter}1048576")
            sheet.add_data_validation(rule)
    sheet.freeze_panes = "A2"
    _write_notes(book.create_sheet("说明"), spec, vocab)
    book.save(path)


def _choices(spec: TableSpec, column: Column) -> list[str]:
    """Values offered in a drop-down for short closed lists."""
    if column.type == "bool":
        return ["是", "否"]
    if column.type == "level" and spec.name == "recognitions":
        return list(LEVELS)
    if column.type == "scale":
        return ["规上", "规下", "规上 大型", "规上 中型", "规上 小型", "规下 小型", "规下 微型"]
    if column.type == "indicator":
        return list(INDICATOR_UNITS)
    if column.type == "unit":
        return sorted(set(INDICATOR_UNITS.values()))
    return []


def _write_notes(sheet, spec: TableSpec, vocab: Vocabulary) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.append([f"{spec.zh}表({spec.name})填写说明"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["列名", "英文名", "是否必填", "类型", "可填写的值", "示例", "说明"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for column in spec.columns:
        sheet.append(
            [
                column.zh,
                column.name,
                "必填" if column.required else "选填",
                TYPE_NAMES[column.type],
                allowed_values(spec, column, vocab),
                column.example,
                _help(column),
            ]
        )
    sheet.append([])
    for note in _NOTES:
        sheet.append([note])
    for letter, width in zip("ABCDEFG", (16, 14, 9, 16, 60, 22, 50), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _help(column: Column) -> str:
    others = "、".join(s for s in column.synonyms if not s.isascii())
    parts = [column.help, f"表头也可写作:{others}" if others else ""]
    return "。".join(p for p in parts if p)


def allowed_values(spec: TableSpec, column: Column, vocab: Vocabulary) -> str:
    """What a column accepts, in words, for the 说明 sheet."""
    if column.type == "kind":
        table = "recognition" if spec.name == "recognitions" else "event"
        return "、".join(vocab.kinds_of(table)) + "(常见的其他写法也能识别)"
    if column.type == "level" and spec.name == "recognitions":
        return "/".join(LEVELS) + ";类型名称已含级别(如国家级专精特新小巨人)或该类型不分级别时可留空"
    if column.type == "region" and spec.name == "demands":
        return "需求所在地的6位行政区划代码,区县、市或省均可,如370100(济南市);也可写不重名的地名"
    if column.type == "level":
        parts = [
            f"{kind}:{'/'.join(vocab.info('event', kind).levels)}"
            for kind in vocab.kinds_of("event")
            if vocab.info("event", kind).levels
        ]
        return ";".join(parts) + ";其他事项可留空"
    return _FIXED_VALUES.get(column.type, "")


_FIXED_VALUES = {
    "uscc": "18位数字或大写字母(不含I、O、Z、S、V),末位为校验码",
    "region": "县级行政区划代码,如370116(莱芜区);也可写不重名的区县名称",
    "industry": "门类字母加2至4位数字,如C3311;门类:" + "、".join(f"{k}{v}" for k, v in SECTION_NAMES.items()),
    "scale": "规上、规下,可附大型/中型/小型/微型",
    "date": "2024-03-01、2024/3/1、2024年3月1日、20240301 或Excel日期",
    "bool": "是/否(也可填Y/N、1/0;留空为否)",
    "amount": "不小于0的数字,单位万元",
    "count": "不小于0的整数",
    "period": "年度填2024,月度填2024-03(也可写2024年3月)",
    "indicator": "、".join(f"{k}({v})" for k, v in INDICATOR_UNITS.items()),
    "number": "数字;利润总额可为负数",
    "unit": "按指标:" + "、".join(f"{k}→{v}" for k, v in INDICATOR_UNITS.items()),
    "text": "",
    "certifications": "多项用“、”分隔;常见:首台(套)、首批次、首版次、优势工业产品目录、政府首购创新产品目录"
    "(其他资质照写即可)",
}
