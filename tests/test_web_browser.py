"""The platform in a real browser: Playwright drives Debian's Chromium (headless) against the
service served over loopback, on SQLite and PostgreSQL. One story, the one the city lives by:

an officer corrects a flagged reading and publishes it, and runs the match; an enterprise signs
in, finds its policy in the library, sees its entitlements with their amounts and applies with a
file; the officer approves the application; finance pays it and sees it on the dashboard; and
an enterprise that types another enterprise's address gets a not-found page.

Every page visited is saved as a screenshot under ``test-artifacts/web/<database>/`` (ignored by
git) for people to look at. Chromium comes from Debian (``.ci/run`` installs ``chromium``, ``chromium-l10n`` and
``fonts-noto-cjk``); no browser is ever downloaded.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from web_support import PDF

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",  # the browser's own words (the file chooser's button) in Chinese too
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "web"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium and fonts-noto-cjk (bash .ci/run does)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chinese = dict(os.environ, LANGUAGE="zh_CN")  # the UI language; LANG stays (file names)
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, env=chinese)
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(world, tmp_path):
    """The service with its pages over the world's database, on a loopback port."""
    import uvicorn

    from huiqi.web.app import create_app

    app = create_app(world.url, evidence_dir=tmp_path / "evidence")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(15)


class Visit:
    """A signed-in browser context that saves a screenshot of every page it is shown."""

    def __init__(self, browser, base: str, folder: Path, counter: list[int]) -> None:
        self.context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.base, self.folder, self.counter = base, folder, counter

    def shot(self, name: str) -> None:
        self.counter[0] += 1
        self.page.screenshot(path=str(self.folder / f"{self.counter[0]:02d}-{name}.png"), full_page=True)

    def go(self, path: str, name: str):
        answer = self.page.goto(self.base + path)
        self.shot(name)
        return answer

    def sign_in(self, username: str, password: str, name: str) -> None:
        self.page.goto(self.base + "/login")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_load_state()
        self.shot(name)

    def flash(self) -> str:
        return self.page.locator(".flash").first.inner_text()


def test_review_publish_apply_approve_pay_in_the_browser(browser, served, world, database_url, tmp_path):
    from playwright.sync_api import expect

    folder = ARTIFACTS / ("sqlite" if database_url.startswith("sqlite") else "postgresql")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    counter = [0]
    evidence = tmp_path / "认定证书.pdf"
    evidence.write_bytes(PDF)

    # 1. the officer: wrong password first, then 工作台; corrects the flagged rows and publishes
    officer = Visit(browser, served, folder, counter)
    officer.page.goto(served + "/login")
    officer.page.get_by_label("用户名").fill("li")
    officer.page.get_by_label("密码").fill("wrong-password")
    officer.page.get_by_role("button", name="登录").click()
    expect(officer.page.get_by_role("alert")).to_contain_text("用户名或密码错误")
    officer.shot("登录-密码错误")
    officer.sign_in("li", world.password("li"), "工作台")
    assert officer.page.url.endswith("/desk")
    page = officer.page
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="审核").click()
    page.get_by_role("row", name=re.compile("济南市人民政府关于支持制造业")).get_by_role(
        "link", name="审核"
    ).click()
    officer.shot("审核")
    expect(page.locator(".panel.publish")).to_contain_text("还有 3 处待审核")
    rows = page.locator(".review-row.flagged")
    ids = [rows.nth(n).get_attribute("id") for n in range(3)]
    first, second, third = (f"#{i}" for i in ids)
    card = page.locator(first)
    if not card.locator("input[name=subject]").is_visible():  # flagged rows open their form already
        card.locator("summary", has_text="更正字段").click()
    card.locator("input[name=subject]").fill("新认定的国家级绿色工厂")
    card.locator("select[name=level]").select_option("国家级")
    card.locator("form.fields input[name=reason]").fill("分别对应国家级,30万元")
    card.get_by_role("button", name="保存更正").click()
    expect(page.locator(".flash")).to_contain_text("已保存更正")
    officer.shot("更正后")
    card = page.locator(second)
    if not card.locator("input[name=subject]").is_visible():
        card.locator("summary", has_text="更正字段").click()
    card.locator("input[name=subject]").fill("新认定的省级绿色工厂")
    card.locator("select[name=level]").select_option("省级")
    card.locator("form.fields input[name=reason]").fill("分别对应省级,20万元")
    card.get_by_role("button", name="保存更正").click()
    expect(page.locator(".flash")).to_contain_text("已保存更正")
    card = page.locator(third)
    card.locator("form.decide input[name=reason]").fill("原文多出的金额,没有对应的对象")
    card.get_by_role("button", name="排除").click()
    expect(page.locator(".flash")).to_contain_text("已排除")
    page.get_by_label("发布说明").fill("逐条审核完毕,发布")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("已发布")
    officer.shot("已发布")
    # the match, with its progress page, then back to 工作台
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="工作台").click()
    page.get_by_role("button", name="重新匹配").click()
    expect(page.get_by_role("heading", name="匹配完成")).to_be_visible(timeout=60_000)
    officer.shot("匹配完成")

    # 2. the enterprise: the library, its entitlements with amounts, an application with a file
    firm = Visit(browser, served, folder, counter)
    firm.sign_in("e1", world.password("e1"), "我的政策")
    page = firm.page
    assert page.url.endswith("/me")
    expect(page.locator("table.entitlements")).to_contain_text("新认定的国家级专精特新“小巨人”企业")
    giant = page.get_by_role("row", name=re.compile("小巨人"))
    expect(giant.first).to_contain_text("50")
    expect(giant.first).to_contain_text("免申即享")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="政策库").click()
    page.get_by_role("searchbox").fill("绿色工厂")
    page.get_by_role("searchbox").press("Enter")
    expect(page.locator(".result-count")).to_contain_text("找到 1 份文件")
    expect(page.locator(".snippet mark", has_text="绿色工厂").first).to_be_visible()
    firm.shot("政策库检索")
    page.get_by_role("link", name="济南市人民政府关于支持制造业高质量发展的若干措施").click()
    expect(page.locator(".doc-text a.item.incentive").first).to_be_visible()
    firm.shot("文件正文与读取结果")
    firm.go("/me", "我的政策-申报前")
    page.get_by_role("row", name=re.compile("新认定的国家级企业技术中心")).get_by_role(
        "link", name="申报"
    ).click()
    expect(page.get_by_label("申报金额(万元)")).not_to_have_value("")
    page.locator("#files").set_input_files(str(evidence))
    firm.shot("在线申报")
    page.get_by_role("button", name="提交申报").click()
    expect(page.locator(".flash")).to_contain_text("申报已提交")
    expect(page.locator("ul.files")).to_contain_text("认定证书.pdf")
    firm.shot("申报进度")
    application = page.url

    # 3. the officer approves it from the queue
    page = officer.page
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="工作台").click()
    page.locator(".panel", has_text="待审核申报").get_by_role("link", name=re.compile("泉城精密机械")).click()
    officer.shot("申报审核")
    page.get_by_label("通过", exact=True).check()
    page.get_by_label("审核意见").fill("认定文件齐全,按规则核定")
    page.get_by_role("button", name="提交审核决定").click()
    expect(page.locator(".flash")).to_contain_text("已审核通过")
    officer.shot("审核通过")

    # 4. finance pays it and sees it on the dashboard
    finance = Visit(browser, served, folder, counter)
    finance.sign_in("cai", world.password("cai"), "看板-兑付前")
    page = finance.page
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="兑付").click()
    row = page.get_by_role("row", name=re.compile("新认定的国家级企业技术中心"))
    row.get_by_role("checkbox").check()
    finance.shot("兑付")
    page.get_by_role("button", name="兑付选中项目").click()
    expect(page.locator(".flash")).to_contain_text("已兑付 1 项")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="看板").click()
    paid = page.locator(".stat.paid .figure")
    expect(paid).not_to_have_text(re.compile(r"^0\s*万元"))
    expect(page.locator("svg.chart").first).to_be_visible()
    finance.shot("看板-兑付后")

    # 5. the enterprise follows it to payout, and another's address is not found
    page = firm.page
    page.goto(application)
    expect(page.locator(".steps li.done")).to_have_count(3)
    firm.shot("申报已兑付")
    answer = firm.go(f"/enterprises/{world.E2}", "他人地址-未找到")
    assert answer.status == 404
    expect(page.get_by_role("heading", name="没有找到")).to_be_visible()
    assert "历山智能装备" not in page.content()

    for visit in (officer, firm, finance):
        visit.context.close()
    shots = sorted(p.name for p in folder.glob("*.png"))
    assert len(shots) == counter[0] and len(shots) >= 18
