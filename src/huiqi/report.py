"""Human-readable Chinese summaries of extracted documents (Rich tables for the terminal)."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from huiqi.extract.model import Incentive, PolicyDoc

KIND_LABEL = {
    "fixed": "定额",
    "max": "最高",
    "min": "不少于",
    "ratio": "按比例",
    "unspecified": "未定额",
}


def _wan(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}万元"


def describe_amount(row: Incentive) -> str:
    """The amount of one incentive row in words: 最高200万元, 设备购置款的10%(最高500万元)."""
    per = f"/{row.per}" if row.per else ""
    if row.kind == "fixed":
        text = f"{_wan(row.amount_wan)}{per}"
    elif row.kind == "min":
        text = f"不少于{_wan(row.amount_wan)}{per}"
    elif row.kind == "max" and row.amount_min_wan is not None:
        text = f"{row.amount_min_wan:g}—{_wan(row.cap_wan)}{per}"
    elif row.kind == "max":
        text = f"最高{_wan(row.cap_wan)}{per}"
    elif row.kind == "ratio":
        pct = f"{(row.ratio or 0) * 100:g}%"
        if row.ratio_min is not None:
            pct = f"{row.ratio_min * 100:g}%—{pct}"
        text = f"{'不高于' if row.ratio_is_max else ''}{row.base + '的' if row.base else ''}{pct}"
        if row.cap_wan is not None:
            text += f",最高{_wan(row.cap_wan)}{per}"
    else:
        text = "未写明金额"
    if row.one_time:
        text += "(一次性)"
    return text


def _payers(row: Incentive) -> str:
    if not row.payers:
        return ""
    return "、".join(
        f"{p.payer}{'' if p.share in (None, 1.0) else f' {p.share * 100:g}%'}" for p in row.payers
    )


def render_policy(doc: PolicyDoc, console: Console) -> None:
    """Print one document: its fields, incentives, tasks, targets and stacking rules."""
    d = doc.document
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold cyan", no_wrap=True)
    head.add_column()
    for label, value in (
        ("文号", d.doc_number),
        ("发文机关", "、".join(d.issuers) if d.issuers else None),
        ("成文日期", d.issued_on),
        ("施行日期", d.effective_from),
        ("有效期至", d.expires_on),
        ("地区 / 层级", " / ".join(v for v in (d.region, d.level) if v) or None),
        ("来源", doc.source),
    ):
        head.add_row(label, escape(value or "—"))
    summary = Text(
        f"任务 {len(doc.tasks)} 项 · 奖补条款 {len(doc.incentives)} 条 · "
        f"目标 {len(doc.targets)} 个 · 叠加规则 {len(doc.stacking)} 条",
        style="dim",
    )
    console.print(
        Panel(Group(head, summary), title=f"[bold]{escape(d.title or '(未识别标题)')}", expand=True)
    )

    if doc.incentives:
        table = Table(title="奖补条款(给谁、多少钱)", show_lines=False, expand=True)
        table.add_column("任务", no_wrap=True)
        table.add_column("对象", ratio=3)
        table.add_column("级别", no_wrap=True)
        table.add_column("方式", no_wrap=True)
        table.add_column("金额", ratio=2)
        table.add_column("出资", no_wrap=True)
        for row in doc.incentives:
            flag = " [yellow]⚠待核[/]" if row.needs_review else ""
            table.add_row(
                escape(row.task or ""),
                escape(row.subject) + flag,
                row.level or "",
                KIND_LABEL[row.kind],
                escape(describe_amount(row)),
                escape(_payers(row)),
            )
        console.print(table)
        for row in doc.incentives:
            for note in row.notes:
                console.print(f"  [yellow]⚠[/] {escape(row.subject[:30])}:{escape(note)}", highlight=False)

    if doc.targets:
        table = Table(title="目标", expand=True)
        for col in ("指标", "目标值", "期限"):
            table.add_column(col)
        for t in doc.targets:
            cmp = {">=": "≥", "<=": "≤", "~": "约", "=": ""}[t.comparator]
            value = f"{cmp}{t.value:g}" + (f"-{t.value_max:g}" if t.value_max else "") + (t.unit or "")
            table.add_row(escape(t.indicator), escape(value), escape(str(t.by) if t.by else (t.period or "")))
        console.print(table)

    if doc.tasks:
        table = Table(title="任务及责任单位", expand=True)
        table.add_column("编号", no_wrap=True)
        table.add_column("任务")
        table.add_column("责任单位")
        for task in doc.tasks:
            table.add_row(escape(task.id), escape(task.title), escape("、".join(task.responsible)))
        console.print(table)

    rule_label = {
        "highest_only": "就高不重复",
        "cap_per_enterprise": "每家企业限额",
        "supersedes": "以本文件为准",
        "repeatable": "可叠加享受",
        "exclusive": "不得同时享受",
    }
    for s in doc.stacking:
        label = rule_label.get(s.rule, s.rule)
        console.print(f"[bold]叠加规则[/] \\[{label}] {escape(s.text)}", highlight=False)


def progress_bar(console: Console) -> Progress:
    """The one progress display of every long step: description, bar, n/total, time (transient)."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
