"""运行监测 and 督查督办 in a real browser: Playwright drives Debian's Chromium (headless) against
the service over loopback, on SQLite and PostgreSQL, with the population of test_web_monitor.

An officer of 济南 opens 运行监测 from the navigation, picks a month and sees the 波动企业 of the
city (not the 3% rise, not 潍坊), fetches the Excel of that list with the browser's own session,
looks at 重点企业 and 升规纳统, then 督查督办: a target's progress and a task row updated through
its form. The leadership's view sees the ledger without forms; an enterprise has 亩产效益 in its
navigation and is refused the officers' lists. Browser downloads do not work headless here, so
the Excel files are fetched through the page's request context (same cookies as the page).
Screenshots go to ``test-artifacts/web-monitor/<database>/`` (ignored by git).
"""

from __future__ import annotations

import io
import re
import shutil

from openpyxl import load_workbook

import test_web_browser as shared
from test_web_browser import Visit
from test_web_monitor import F1, F3, F5, FORMULA_NAME, populate

browser = shared.browser  # the module-scoped Chromium of the main browser story
served = shared.served  # the service over the world's database on a loopback port
ARTIFACTS = shared.ARTIFACTS.parent / "web-monitor"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(visit: Visit, href: str):
    """The Excel file behind a link, fetched with the page's session."""
    answer = visit.context.request.get(visit.base + href)
    assert answer.status == 200, answer.text()[:300]
    assert answer.headers["content-type"].startswith(XLSX)
    return load_workbook(io.BytesIO(answer.body()))


def test_officer_reads_monitor_lists_exports_and_updates_a_task_in_the_browser(
    browser, served, world, database_url
):
    from playwright.sync_api import expect

    populate(world)
    folder = ARTIFACTS / ("sqlite" if database_url.startswith("sqlite") else "postgresql")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    counter = [0]

    # 1. 运行监测 from the navigation; June 2025 picked in the form
    officer = Visit(browser, served, folder, counter)
    officer.sign_in("li", world.password("li"), "工作台")
    page = officer.page
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="运行监测").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("运行监测")
    page.get_by_label("月份").select_option("2025-06")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2025-06")
    officer.shot("波动企业")
    table = page.locator("table.alerts")
    # 济南 in June: F1 −30% 下滑, F3 three small falls of 税收 持续下滑, F5 +60% 异常增长
    fall = table.get_by_role("row", name=re.compile("泉城重工有限公司"))
    expect(fall).to_contain_text("-30.0%")
    expect(fall).to_contain_text("下滑")
    expect(fall).to_contain_text("历下区")
    expect(table.get_by_role("row", name=re.compile("趵突泉电子有限公司"))).to_contain_text("持续下滑")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).not_to_contain_text("历山纺织有限公司")  # +3%: not a 波动
    expect(table).not_to_contain_text("潍水机械有限公司")  # 潍坊: another officer's
    expect(table).to_contain_text(FORMULA_NAME)  # a formula-like name shown as plain text
    # the Excel of the list shown, through the page's 导出Excel link
    href = page.get_by_role("link", name="导出Excel").get_attribute("href")
    assert href.startswith("/monitor/export?period=2025-06")  # the form's filters, empty ones too
    sheet = _workbook(officer, href)["波动企业清单"]
    header, *rows = [[c for c in row] for row in sheet.iter_rows()]
    names = [c.value for c in header]
    assert "统一社会信用代码" in names and "企业名称" in names
    by_code = {row[names.index("统一社会信用代码")].value: row for row in rows}
    assert set(by_code) == {F1, F3, F5}
    formula = by_code[F5][names.index("企业名称")]
    assert formula.value == FORMULA_NAME and formula.data_type == "s" and formula.quotePrefix

    # 2. the other tabs: 重点企业 (trend lines), 升规纳统 (华山建材: 1800 of 2000 万元)
    page.get_by_role("navigation", name="运行监测").get_by_role("link", name="重点企业").click()
    expect(page.locator("svg.spark").first).to_be_visible()
    officer.shot("重点企业")
    page.get_by_role("navigation", name="运行监测").get_by_role("link", name="升规纳统").click()
    expect(page.get_by_role("row", name=re.compile("华山建材有限公司"))).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("千佛山食品有限公司")  # already 规上
    officer.shot("升规纳统")

    # 3. 督查督办: the green-factory target at one of three, then a task updated by its form
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="督查督办").click()
    target = page.get_by_role("row", name=re.compile("市级以上绿色工厂"))
    expect(target).to_contain_text("33.3%")
    officer.shot("目标进度")
    page.get_by_role("navigation", name="督查督办").get_by_role("link", name="任务台账").click()
    page.get_by_label("政策文件").select_option(label="济南市人民政府关于推动工业稳定增长的实施方案")
    page.get_by_role("button", name="筛选").click()
    row = page.locator("table.tasks tbody tr", has_text="市科技局")
    expect(row).to_contain_text("未启动")
    row.locator("summary", has_text="更新进展").click()
    row.get_by_label("状态").select_option("推进中")
    row.get_by_label("进展说明").fill("已有20家企业上云")
    row.get_by_role("button", name="保存进展").click()
    expect(page.locator(".flash")).to_contain_text("已更新:任务 2 市科技局 → 推进中")
    row = page.locator("table.tasks tbody tr", has_text="市科技局")
    expect(row).to_contain_text("推进中")
    expect(row).to_contain_text("已有20家企业上云")
    officer.shot("任务已更新")
    href = page.get_by_role("link", name="导出Excel").get_attribute("href")
    ledger = _workbook(officer, href)["任务台账"]
    header, *rows = [[c.value for c in row] for row in ledger.iter_rows()]
    status = {r[header.index("责任单位")]: r[header.index("状态")] for r in rows}
    assert status == {"市工业和信息化局": "未启动", "市生态环境局": "未启动", "市科技局": "推进中"}

    # 4. the leadership's view reads the ledger with no form; an enterprise is refused the lists
    finance = Visit(browser, served, folder, counter)
    finance.sign_in("cai", world.password("cai"), "看板")
    finance.go("/supervision/tasks", "任务台账-领导查看")
    expect(finance.page.locator("table.tasks")).to_contain_text("推进中")
    expect(finance.page.get_by_role("button", name="保存进展")).to_have_count(0)
    firm = Visit(browser, served, folder, counter)
    firm.sign_in("m1", world.password("m1"), "我的政策")
    nav = firm.page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="亩产效益")).to_be_visible()
    expect(nav.get_by_role("link", name="运行监测")).to_have_count(0)
    answer = firm.go("/monitor", "企业-无权访问")
    assert answer.status == 403
    expect(firm.page.get_by_role("heading", name="无权访问")).to_be_visible()
    expect(firm.page.locator("main")).not_to_contain_text("泉城重工有限公司")

    for visit in (officer, finance, firm):
        visit.context.close()
    assert len(list(folder.glob("*.png"))) == counter[0] >= 8
