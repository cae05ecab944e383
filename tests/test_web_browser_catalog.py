"""The product platform in a real browser (Debian's Chromium driven by Playwright, headless), on
SQLite and PostgreSQL, over the service world with the hand-made product population:

an officer searches the 产品库 with a region filter, opens a product and the demands it could
serve, reads a demand's ranked suppliers and fetches its 对接清单, then creates a catalog
edition, selects a product found among the region's candidates and publishes it; an enterprise
then finds that product by the catalog's certification, sees the listing on the product's page,
and reads a demand without its suppliers (they are the buyer's and the officers').

Every page is saved as a screenshot under ``test-artifacts/web-catalog/<database>/`` (ignored by
git). The browser and the server are the fixtures of ``test_web_browser``.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

from openpyxl import load_workbook

from catalog_web_support import add_market
from test_web_browser import Visit, browser, served  # noqa: F401  (fixtures)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "web-catalog"


def test_search_match_and_publish_a_catalog_in_the_browser(browser, served, world, database_url, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    market = add_market(world, tmp_path)
    folder = ARTIFACTS / ("sqlite" if database_url.startswith("sqlite") else "postgresql")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    counter = [0]

    # 1. the officer searches the 产品库 of 济南 for 加工中心
    officer = Visit(browser, served, folder, counter)
    officer.sign_in("li", world.password("li"), "工作台")
    page = officer.page
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="产品库").click()
    expect(page.get_by_role("heading", name="产品库", exact=True)).to_be_visible()
    expect(page.locator(".result-count")).to_contain_text("共 14 个产品")
    officer.shot("产品库")
    page.get_by_role("searchbox").fill("加工中心")
    page.get_by_label("地区").select_option(label="济南市(全市)")
    page.get_by_role("button", name="检索", exact=True).click()
    expect(page.locator(".result-count")).to_contain_text("找到 3 个产品")
    titles = page.locator(".product-list .doc-title")
    expect(titles.first).to_contain_text("立式加工中心 VMC850")
    expect(page.locator(".product-list mark", has_text="加工中心").first).to_be_visible()
    expect(page.locator(".product-list")).not_to_contain_text("潍坊")  # the filter holds
    officer.shot("产品库检索-加工中心-济南")
    page.locator(".segmented").get_by_role("link", name="企业").click()
    expect(page.locator(".product-list .doc-title").first).to_contain_text("济南历城精工机床有限公司")
    officer.shot("产品库检索-企业")

    # 2. a product, and the demands it could serve
    page.locator(".product-list .chip", has_text="VMC850").click()
    expect(page.get_by_role("heading", name=re.compile("立式加工中心 VMC850"))).to_be_visible()
    demands = page.locator("table.matches")
    expect(demands.locator("tbody tr").first).to_contain_text("数控机床采购")
    expect(demands.locator("tbody tr").first).to_contain_text("本地企业")
    officer.shot("产品页")

    # 3. 供需对接: a demand with its ranked suppliers and reasons, its 对接清单 in Excel
    nav.get_by_role("link", name="产品库").click()
    page.locator(".section-tabs").get_by_role("link", name="供需对接").click()
    expect(page.locator("table.grid")).to_contain_text("地铁隧道施工用盾构机")
    officer.shot("供需对接-需求")
    page.get_by_role("link", name="地铁隧道施工用盾构机").click()
    first = page.locator("table.matches tbody tr").first
    expect(first).to_contain_text("土压平衡盾构机")
    expect(first).to_contain_text("本地企业(章丘区)")
    expect(page.locator("table.matches")).not_to_contain_text("盾构机刀盘滚刀")  # a part is not the machine
    officer.shot("需求与对接结果")
    export = page.get_by_role("link", name="下载对接清单(Excel)").get_attribute("href")
    answer = officer.context.request.get(served + export)  # the browser's session, without a download
    assert answer.status == 200
    book = load_workbook(io.BytesIO(answer.body()))
    assert book["对接清单"]["B2"].value == "土压平衡盾构机"

    # 4. 产品目录: a new edition, a candidate selected, published
    nav.get_by_role("link", name="产品库").click()
    page.locator(".section-tabs").get_by_role("link", name="产品目录").click()
    officer.shot("产品目录")
    page.get_by_label("目录", exact=True).select_option("优势工业产品目录")
    page.get_by_label("版次").fill("2025年版")
    page.get_by_role("button", name="新建草稿").click()
    expect(page.locator(".flash")).to_contain_text("已新建《济南市优势工业产品目录(2025年版)》(草稿)")
    expect(page.get_by_role("button", name="发布目录")).to_be_disabled()
    page.get_by_label("候选产品检索").fill("加工中心")
    page.get_by_role("button", name="查找候选").click()
    page.get_by_label("选入立式加工中心 VMC850").check()
    page.get_by_label("入选说明").fill("技术领先,首台(套)")
    officer.shot("遴选产品")
    page.get_by_role("button", name="选入目录").click()
    expect(page.locator(".flash")).to_contain_text("已选入 1 个产品")
    expect(page.locator("table.entries")).to_contain_text("立式加工中心 VMC850")
    page.once("dialog", lambda dialog: dialog.accept())  # 发布 asks first
    page.get_by_role("button", name="发布目录").click()
    expect(page.locator(".flash")).to_contain_text("已发布《济南市优势工业产品目录(2025年版)》")
    expect(page.locator(".page-head .badge")).to_have_text("已发布")
    officer.shot("目录已发布")

    # 5. an enterprise finds the listed product by the catalog, and reads a demand without its suppliers
    firm = Visit(browser, served, folder, counter)
    firm.sign_in("e4", world.password("e4"), "我的政策")
    page = firm.page
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="产品库").click()
    page.get_by_label("资质").select_option("优势工业产品目录")
    page.get_by_role("button", name="检索", exact=True).click()
    expect(page.locator(".result-count")).to_contain_text(
        "找到 2 个产品"
    )  # 油浸式变压器 holds it as imported
    row = page.locator(".product-list li", has_text="立式加工中心 VMC850")
    expect(row.locator(".badge", has_text="优势工业产品目录")).to_be_visible()
    firm.shot("企业-按目录检索")
    row.get_by_role("link", name="立式加工中心 VMC850").click()
    expect(page.locator("table.grid").first).to_contain_text("《济南市优势工业产品目录(2025年版)》")
    expect(page.locator("table.matches")).to_have_count(0)  # not its product: no matching for it
    expect(page.get_by_role("button", name="选入")).to_have_count(0)
    firm.shot("企业-产品页")
    firm.go(f"/products/demands/{market.demands['XQ-01']}", "企业-需求")
    expect(page.get_by_role("heading", name="对接结果")).to_be_visible()
    expect(page.locator("table.matches")).to_have_count(0)

    for visit in (officer, firm):
        visit.context.close()
    shots = sorted(p.name for p in folder.glob("*.png"))
    assert len(shots) == counter[0] and len(shots) >= 12
