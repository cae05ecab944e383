"""The web pages rendered on the server (FastAPI's TestClient, SQLite and PostgreSQL): sign-in and
each role's home, navigation, CSRF on forms, not-found for what is not yours, the library and a
document's page, 审核 to publication, 我的政策 and 申报 with files, approval, payout, the
dashboard, push lists with their Excel export, the calendar, 政策测算 and 数据导入."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from huiqi.db.models import Application, AuditEntry, Enterprise, Evidence, Payout, ReadingReview
from web_support import PDF, Pages, login_token, text_of


@pytest.fixture
def pages(world, tmp_path) -> Pages:
    return Pages(world, tmp_path / "evidence")


@pytest.fixture
def paying(paying_world, tmp_path) -> Pages:
    return Pages(paying_world, tmp_path / "evidence")


def _count(world, model, *where) -> int:
    with world.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


# ----------------------------------------------------------------------------- sign-in and roles


def test_sign_in_form_wrong_credentials_and_each_role_lands_home(pages):
    form = pages.anonymous().get("/login")
    assert form.status_code == 200
    html = form.text
    assert re.search(r'<label for="username">用户名</label>', html)
    assert re.search(r'<label for="password">密码</label>', html)
    assert re.search(r"<button[^>]*>登录</button>", html)
    http = pages.anonymous()
    wrong = http.post(
        "/login",
        data={"username": "e1", "password": "not-it", "login_token": login_token(http.get("/login").text)},
    )
    assert wrong.status_code == 401 and "用户名或密码错误" in text_of(wrong.text)
    assert "huiqi_session" not in http.cookies
    homes = {"e1": "/me", "li": "/desk", "cai": "/dashboard", "shen": "/dashboard", "admin": "/dashboard"}
    for name, home in homes.items():
        user = pages.user(name)
        assert user.get("/").headers["location"] == home
        page = user.get(home)
        assert page.status_code == 200, (name, page.text[:300])
        nav = re.search(r'<nav class="nav".*?</nav>', page.text, re.S).group(0)
        labels = set(re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', nav))
        assert "政策库" in labels
        assert ("我的政策" in labels) == (name == "e1")
        assert ("工作台" in labels) == (name == "li")
        assert ("看板" in labels) == (name in ("cai", "shen", "admin"))


def test_sign_in_failures_are_throttled_in_chinese(pages):
    http = pages.anonymous()
    for _ in range(5):
        token = login_token(http.get("/login").text)
        http.post("/login", data={"username": "li", "password": "wrong", "login_token": token})
    token = login_token(http.get("/login").text)
    answer = http.post(
        "/login", data={"username": "li", "password": pages.world.password("li"), "login_token": token}
    )
    assert answer.status_code == 429 and "登录失败次数过多" in text_of(answer.text)


def test_a_login_form_from_elsewhere_is_refused(pages):
    http = pages.anonymous()
    answer = http.post(
        "/login", data={"username": "li", "password": pages.world.password("li"), "login_token": "x"}
    )
    assert answer.status_code == 400 and "登录页面已过期" in text_of(answer.text)
    assert "huiqi_session" not in http.cookies


def test_pages_send_strangers_to_sign_in_and_the_api_keeps_json(pages):
    http = pages.anonymous()
    answer = http.get("/me", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/me"
    api = http.get("/api/v1/documents")
    assert api.status_code == 401 and api.json()["error"]["code"] == "unauthorized"
    missing = http.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    user = pages.user("li")
    page = user.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "没有找到" in text_of(page.text) and "Not Found" not in page.text
    # signed in, the form's next address is followed (only an address on this site)
    http = pages.anonymous()
    token = login_token(http.get("/login?next=/library").text)
    answer = http.post(
        "/login",
        data={
            "username": "li",
            "password": pages.world.password("li"),
            "login_token": token,
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/desk"


def test_forms_without_the_sessions_csrf_token_are_refused(pages):
    user = pages.user("li")
    with pages.world.session() as s:
        from huiqi.review import service

        version = service.latest_version(s, pages.world.city).id
    for token in ("", "forged-token"):
        answer = user.post(
            f"/review/{pages.world.city}/rows/incentives/0/decide",
            {"version_id": version, "action": "confirm", "reason": "看过"},
            csrf=token,
        )
        assert answer.status_code == 403 and "表单令牌" in text_of(answer.text)
    assert _count(pages.world, ReadingReview) == 0
    assert user.post("/logout", csrf="").status_code == 403
    assert user.get("/desk").status_code == 200  # still signed in
    out = user.post("/logout")
    assert out.headers["location"] == "/login" and user.get("/desk").status_code == 303


def test_an_enterprise_typing_another_enterprises_address_gets_not_found(paying):
    w = paying.world
    e1, e4 = paying.user("e1"), paying.user("e4")
    fair = w.entitlement(w.E4, "展会")
    centre = w.entitlement(w.E1, "企业技术中心")
    applied = e1.post(
        f"/me/apply/{centre.id}",
        {"claimed_wan": "100", "note": "已认定"},
        files={"files": ("认定.pdf", PDF, "application/pdf")},
    )
    app_id = int(applied.headers["location"].rsplit("/", 1)[1])
    for path in (
        f"/enterprises/{w.E1}",
        f"/applications/{app_id}",
        f"/me/apply/{centre.id}",
    ):
        answer = e4.get(path)
        assert answer.status_code == 404, path
        assert "没有找到" in text_of(answer.text) and w.E1 not in answer.text and "泉城" not in answer.text
    assert e4.get(f"/me/apply/{fair.id}").status_code == 200  # its own is there
    # an officer of another region gets the same
    assert paying.user("zhao").get(f"/enterprises/{w.E1}").status_code == 404
    # and a role on another's page is refused in Chinese
    assert e4.get("/desk").status_code == 403 and "无权访问" in text_of(e4.get("/desk").text)


# ----------------------------------------------------------------------------- 政策库


def test_library_searches_documents_and_clauses_and_filters(pages):
    w = pages.world
    district = w.ingest_district()
    user = pages.user("e1")
    everything = text_of(user.get("/library").text)
    assert "济南市人民政府关于支持制造业高质量发展的若干措施" in everything and "历下区" in everything
    assert re.search(r'<input[^>]*type="search"[^>]*name="q"', user.get("/library").text)
    both = user.get("/library", params={"q": "专精特新"}).text
    assert "找到 2 份文件" in text_of(both)
    green = user.get("/library", params={"q": "绿色工厂"}).text
    assert "找到 1 份文件" in text_of(green) and f'href="/library/{w.city}"' in green
    assert "<mark>绿色工厂</mark>" in green  # the clause is shown with the words marked
    none = user.get("/library", params={"q": "量子计算"}).text
    assert "没有符合条件的政策文件" in text_of(none)
    city_only = user.get("/library", params={"q": "专精特新", "region": "济南市"}).text
    assert f'href="/library/{w.city}"' in city_only and f'href="/library/{district}"' not in city_only
    by_unit = user.get("/library", params={"department": "区工业和信息化局"}).text
    assert f'href="/library/{district}"' in by_unit and f'href="/library/{w.city}"' not in by_unit
    by_level = user.get("/library", params={"level": "区县级"}).text
    assert f'href="/library/{district}"' in by_level and f'href="/library/{w.city}"' not in by_level
    in_force = user.get("/library", params={"status": "现行有效"}).text
    expired = user.get("/library", params={"status": "已失效"}).text
    assert f'href="/library/{w.city}"' in in_force and f'href="/library/{w.city}"' not in expired


def test_document_page_marks_every_row_in_the_text_and_flagged_rows_stand_out(pages):
    w = pages.world
    html = pages.user("e1").get(f"/library/{w.city}").text
    # every incentive is marked in the text and has its card beside it
    cards = re.findall(r'id="r-incentives-(\d+)"', html)
    assert len(cards) >= 7
    marked = set(re.findall(r'id="t-(incentives-\d+)"', html))
    for index in cards:  # each card links to the marked sentence it was read from
        card = re.search(rf'id="r-incentives-{index}">.*?</section>', html, re.S).group(0)
        assert re.search(r'href="#t-([\w-]+)"', card).group(1) in marked
    flagged_cards = re.findall(r'class="card reading incentives flagged" id="r-incentives-(\d+)"', html)
    assert len(flagged_cards) == 3
    flagged_marks = re.findall(r'<a class="item incentive flagged" href="#r-incentives-(\d+)"', html)
    assert flagged_marks and set(flagged_marks) <= set(flagged_cards)
    assert re.search(
        r'<a class="item incentive" href="#r-incentives-\d+"[^>]*>对新认定的国家级专精特新', html
    )
    assert "一次性奖励50万元" in text_of(html)


# ----------------------------------------------------------------------------- 审核


def test_officer_corrects_confirms_excludes_and_publishes_through_the_pages(pages):
    w = pages.world
    li = pages.user("li")
    page = li.get(f"/review/{w.city}")
    assert page.status_code == 200 and "还有 3 处待审核" in text_of(page.text)
    assert len(re.findall(r'class="card review-row flagged"', page.text)) == 3
    version = re.search(r'name="version_id" value="(\d+)"', page.text).group(1)
    flagged = [
        int(i) for i in re.findall(r'class="card review-row flagged" id="row-incentives-(\d+)"', page.text)
    ]
    first, second, third = flagged
    refused = li.follow(li.post(f"/review/{w.city}/publish", {"reason": "发布"}))
    assert "未保存:还有3处待审核,不能发布" in text_of(refused.text)
    # a correction without a reason, or without a change, saves nothing
    nothing = li.follow(
        li.post(
            f"/review/{w.city}/rows/incentives/{first}/correct",
            {"version_id": version, "subject": "x", "reason": ""},
        )
    )
    assert "请填写更正理由" in text_of(nothing.text)
    form = re.search(rf'id="row-incentives-{first}".*?</section>', page.text, re.S).group(0)
    fields = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', form))
    fields |= {"kind": "fixed", "level": "国家级", "version_id": version, "reason": "分别对应国家级"}
    fields["subject"] = "新认定的国家级绿色工厂"
    saved = li.follow(li.post(f"/review/{w.city}/rows/incentives/{first}/correct", fields))
    assert "已保存更正" in text_of(saved.text)
    bad = li.follow(
        li.post(
            f"/review/{w.city}/rows/incentives/{second}/correct",
            {"version_id": version, "amount_wan": "二十", "reason": "金额"},
        )
    )
    assert "金额(万元)须为数字" in text_of(bad.text)
    confirmed = li.follow(
        li.post(
            f"/review/{w.city}/rows/incentives/{second}/decide",
            {"version_id": version, "action": "confirm", "reason": "省级20万元无误"},
        )
    )
    assert "已确认无误" in text_of(confirmed.text)
    excluded = li.follow(
        li.post(
            f"/review/{w.city}/rows/incentives/{third}/decide",
            {"version_id": version, "action": "exclude", "reason": "多出的金额"},
        )
    )
    assert "已排除" in text_of(excluded.text)
    with w.session() as s:
        actions = [(r.action, r.field) for r in s.scalars(select(ReadingReview).order_by(ReadingReview.id))]
        assert actions == [
            ("correct", "level"),
            ("correct", "subject"),
            ("confirm", None),
            ("exclude", None),
        ], actions
        assert (
            s.scalar(select(ReadingReview.after).where(ReadingReview.field == "subject"))
            == '"新认定的国家级绿色工厂"'
        )
    after = li.get(f"/review/{w.city}").text
    assert "没有待审核的行,可以发布" in text_of(after)
    assert re.search(
        r'<td class="before">新认定的国家级绿色工厂、省级绿色工厂</td><td class="after">新认定的国家级绿色工厂</td>',
        after,
    )
    published = li.follow(li.post(f"/review/{w.city}/publish", {"reason": "逐条审核完毕"}))
    assert "已发布" in text_of(published.text)
    assert "已发布第1版" in text_of(li.get("/library").text)
    with w.session() as s:
        logged = set(s.scalars(select(AuditEntry.action)))
    assert {"review.correct", "review.confirm", "review.exclude", "document.publish"} <= logged
    # another region's officer may not review it
    assert pages.user("zhao").get(f"/review/{w.city}").status_code == 403


def test_version_changes_are_shown_on_the_review_page(pages, tmp_path):
    w = pages.world
    w.city_path.write_text(
        w.city_path.read_text("utf-8").replace("一次性奖励50万元", "一次性奖励60万元"), "utf-8"
    )
    from huiqi.library import ingest_file

    with w.session() as s:
        assert ingest_file(s, w.city_path).status == "new_version"
    page = text_of(pages.user("li").get(f"/review/{w.city}").text)
    assert "与第1版相比,本版的变化" in page
    assert re.search(r"变化:新认定的国家级专精特新“小巨人”企业——金额\(万元\)由“50”改为“60”", page)


def test_preview_shows_how_a_correction_changes_who_qualifies_and_how_much(paying):
    w = paying.world
    li = paying.user("li")
    page = li.get(f"/review/{w.city}").text
    version = re.search(r'name="version_id" value="(\d+)"', page).group(1)
    giant = re.search(r'id="row-incentives-(\d+)".{0,400}对新认定的国家级专精特新', page, re.S).group(1)
    li.post(
        f"/review/{w.city}/rows/incentives/{giant}/correct",
        {"version_id": version, "subject": "新认定的国家级专精特新“小巨人”企业", "kind": "fixed", "amount_wan": "80",
         "level": "国家级", "reason": "按新版核对为80万元"},
    )  # fmt: skip
    started = li.post(f"/review/{w.city}/preview")
    job = paying.wait(started)
    assert job.state == "done", job.error
    result = job.result["comparison"]
    assert result.base.label == "现行发布版本" and result.new.label == "审核后(待发布)"
    # E1 and E2 hold the title in 济南: both get more (E1's district half stays within its cap)
    assert result.changed_count == 2 and result.gained_count == result.lost_count == 0
    assert result.new.money_wan > result.base.money_wan
    shown = text_of(li.get(started.headers["location"]).text)
    assert "金额变化的企业 2 家" in shown and "历山智能装备有限公司" in shown
    assert "按出资层级" in shown and "区级" in shown
    # nothing was stored by the preview
    with w.session() as s:
        from huiqi.db.models import MatchRun

        assert s.scalar(select(func.count()).select_from(MatchRun)) == 1


# ----------------------------------------------------------------------------- 企业端


def test_enterprise_sees_entitlements_with_amounts_reasons_and_near_misses(paying):
    w = paying.world
    html = paying.user("e1").get("/me").text
    page = text_of(html)
    assert "泉城精密机械有限公司" in page
    assert "新认定的国家级专精特新“小巨人”企业" in page and "免申即享" in page and "需申报" in page
    assert re.search(r"新认定的国家级企业技术中心.*?最高\s*90", page)  # the cap left under the tax limit
    assert "您的2024-05-10 国家级专精特新小巨人符合" in page  # the reason in plain words
    assert "差一点就能享受的政策" in page and "省级绿色工厂" in page  # holds a 国家级 one only
    assert f'href="/me/apply/{w.entitlement(w.E1, "企业技术中心").id}"' in html
    calendar = text_of(paying.user("e1").get("/me/calendar").text)
    assert "济南市人民政府关于支持制造业高质量发展的若干措施" in calendar and "2027-12-31" in calendar
    assert "去申报" in calendar


def test_apply_with_files_prefilled_and_bad_files_store_nothing(paying):
    w = paying.world
    e1 = paying.user("e1")
    machine = w.entitlement(w.E1, "设备")
    form = e1.get(f"/me/apply/{machine.id}").text
    assert (
        'name="base_wan" inputmode="decimal" maxlength="20" value="300"' in form
    )  # the registry's 设备购置 amount
    assert "依据:2024-06-01" in form and "泉城精密机械有限公司" in form
    disguised = e1.post(
        f"/me/apply/{machine.id}",
        {"claimed_wan": "30", "base_wan": "300", "note": "发票"},
        files={"files": ("发票.pdf", b"plain text, not a pdf", "application/pdf")},
    )
    assert disguised.status_code == 415 and "只接受 PDF、JPEG 或 PNG" in text_of(disguised.text)
    assert 'value="300"' in disguised.text  # what was typed is kept
    without = e1.post(f"/me/apply/{machine.id}", {"claimed_wan": "30", "base_wan": "300"})
    assert without.status_code == 422 and "请至少上传一份证明材料" in text_of(without.text)
    assert _count(w, Application) == 0 and _count(w, Evidence) == 0
    applied = e1.post(
        f"/me/apply/{machine.id}",
        {"claimed_wan": "30", "base_wan": "300", "note": "发票"},
        files=[
            ("files", ("发票.pdf", PDF, "application/pdf")),
            ("files", ("合同.pdf", PDF + b"2", "application/pdf")),
        ],
    )
    page = e1.follow(applied)
    assert "申报已提交" in text_of(page.text) and "发票.pdf" in page.text and "合同.pdf" in page.text
    with w.session() as s:
        app = s.scalars(select(Application)).one()
        assert (app.claimed_wan, app.base_wan, app.status) == (30.0, 300.0, "submitted")
        assert s.scalar(select(func.count()).select_from(Evidence)) == 2
    again = e1.get(f"/me/apply/{machine.id}")
    assert "不能申报" in text_of(again.text)


def test_officer_approves_finance_pays_and_the_dashboard_shows_it(paying):
    w = paying.world
    e1, li, cai = paying.user("e1"), paying.user("li"), paying.user("cai")
    centre = w.entitlement(w.E1, "企业技术中心")
    applied = e1.post(
        f"/me/apply/{centre.id}",
        {"claimed_wan": "100", "note": "已认定"},
        files={"files": ("认定.pdf", PDF, "application/pdf")},
    )
    app_id = int(applied.headers["location"].rsplit("/", 1)[1])
    desk = text_of(li.get("/desk").text)
    assert "待审核申报 1 份" in desk
    review = li.get(f"/applications/{app_id}").text
    assert "按规则最多可核定" in text_of(review)
    too_much = li.follow(
        li.post(
            f"/applications/{app_id}/decision", {"decision": "approve", "amount_wan": "101", "reason": "通过"}
        )
    )
    assert "核定金额不能超过按规则计算的100万元" in text_of(too_much.text)
    approved = li.follow(
        li.post(f"/applications/{app_id}/decision", {"decision": "approve", "reason": "材料齐全"})
    )
    assert "已审核通过" in text_of(approved.text)
    refused = e1.follow(e1.post(f"/applications/{app_id}/decision", {"decision": "reject", "reason": "x"}))
    assert "只有经办人员可以进行此操作" in text_of(refused.text)
    payouts = text_of(cai.get("/payouts").text)
    assert "待兑付 1 项,100 万元" in payouts
    paid = cai.follow(cai.post("/payouts/pay", {"ids": [str(centre.id)]}))
    assert "已兑付 1 项,共 100 万元" in text_of(paid.text)
    with w.session() as s:
        assert s.scalar(select(Payout.amount_wan)) == 100.0
    board = cai.get("/dashboard")
    figures = text_of(board.text)
    assert "已兑付 100 万元 1 项" in figures
    payers = re.search(r"按出资层级.*?</table>", board.text, re.S).group(0)
    assert re.search(r"<td>市级</td><td class=\"num\">50</td><td class=\"num\">50</td>", payers)
    assert re.search(r"<td>区级</td><td class=\"num\">50</td><td class=\"num\">50</td>", payers)
    followed = text_of(e1.get(f"/applications/{app_id}").text)
    assert "财政兑付" in followed and "凭证号" in followed
    assert "已兑付" in text_of(e1.get("/me").text)


def test_push_list_exports_text_cells_as_text_and_confirms_in_batches(paying):
    w = paying.world
    with w.session() as s:
        s.get(Enterprise, w.E4).name = '=HYPERLINK("http://example.invalid","点这里")'
    li = paying.user("li")
    page = li.get(f"/desk/push/{w.city}").text
    assert "趵突泉" not in page and "=HYPERLINK" in text_of(page)
    exported = li.get(f"/desk/push/{w.city}/export")
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(exported.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=3)]
    evil = next(c for c in names if str(c.value).startswith("=HYPERLINK"))
    assert evil.data_type == "s" and evil.quotePrefix  # text, never a formula
    fair = w.entitlement(w.E4, "展会")
    done = li.follow(li.post(f"/desk/push/{w.city}/confirm", {"ids": [str(fair.id)]}))
    assert "已确认 1 项免申即享" in text_of(done.text)
    everything = li.follow(li.post(f"/desk/push/{w.city}/confirm", {"all": "1"}))
    confirmed = int(re.search(r"已确认 (\d+) 项免申即享", text_of(everything.text)).group(1))
    with w.session() as s:
        from huiqi.db.models import TrackedEntitlement as T

        states = dict(s.execute(select(T.id, T.state)).all())
        auto_open = s.scalar(
            select(func.count())
            .select_from(T)
            .where(T.mode == "免申即享", T.state == "open", T.match_status == "享受")
        )
    assert states[fair.id] == "confirmed" and confirmed >= 2
    assert sum(state == "confirmed" for state in states.values()) == 1 + confirmed and auto_open == 0


def test_simulation_of_a_draft_beside_the_policy_in_force(paying):
    w = paying.world
    li = paying.user("li")
    draft = (
        w.city_path.read_text("utf-8")
        .replace(
            "济南市人民政府关于支持制造业高质量发展的若干措施",
            "济南市人民政府关于支持制造业高质量发展的若干措施(征求意见稿)",
        )
        .replace("一次性奖励50万元", "一次性奖励100万元")
    )
    loaded = li.post("/simulate/load", {"text": draft})
    page = li.follow(loaded)
    assert "已读取《济南市人民政府关于支持制造业高质量发展的若干措施(征求意见稿)》" in text_of(page.text)
    source = re.search(r'name="source" value="(draft:[^"]+)"', page.text).group(1)
    started = li.post(
        "/simulate/run",
        {
            "source": source,
            "start": "2024-01-01",
            "end": "2024-12-31",
            "compare": str(w.city),
            "cap_wan_6": "",
        },
    )
    job = paying.wait(started)
    assert job.state == "done", job.error
    c = job.result["comparison"]
    assert c.base.label == "现行政策" and c.new.label == "测算方案"
    # E2 holds nothing but the 小巨人 title: the draft's doubled grant is its whole difference
    assert c.base.per_enterprise[w.E2][1] == 50.0 and c.new.per_enterprise[w.E2][1] == 100.0
    assert c.new.per_enterprise[w.E1][1] > c.base.per_enterprise[w.E1][1]
    assert c.new.per_enterprise[w.E4] == c.base.per_enterprise[w.E4]  # the fair is the same in both
    assert set(c.new.by_year) == {2024}
    shown = text_of(li.get(started.headers["location"]).text)
    assert "按年度" in shown and "测算期间 2024-01-01 至 2024-12-31" in shown
    # changing an amount on the form counts too
    started = li.post(
        "/simulate/run", {"source": source, "start": "2024-01-01", "end": "2024-12-31", "amount_wan_0": "10"}
    )
    job = paying.wait(started)
    assert job.state == "done" and job.result["edits"][0][0] == 1
    refused = li.follow(
        li.post("/simulate/run", {"source": source, "start": "2024-12-31", "end": "2024-01-01"})
    )
    assert "测算截止日不能早于起始日" in text_of(refused.text)
    assert paying.user("e1").get("/simulate").status_code == 403


def test_import_page_reports_bad_rows_and_the_report_downloads(paying, tmp_path, monkeypatch):
    monkeypatch.setenv("HUIQI_DATA_DIR", str(tmp_path / "data"))
    li = paying.user("li")
    csv = "统一社会信用代码,企业名称,行政区划代码\n91370102MA3G2B4V5X,新泉机械有限公司,370102\n123,坏代码有限公司,370102\n"
    started = li.post(
        "/import",
        {"kind": "enterprises", "mode": "导入"},
        files={"file": ("企业.csv", csv.encode("utf-8"), "text/csv")},
    )
    job = paying.wait(started)
    assert job.state == "done", job.error
    page = text_of(li.get(started.headers["location"]).text)
    assert ("有误(未导入) 1 行" in page and "坏代码有限公司" not in page) or "123" in page
    assert re.search(r"3 统一社会信用代码 123 ", page)
    report = li.get(f"/import/report/{started.headers['location'].rsplit('/', 1)[1]}")
    assert report.status_code == 200 and report.content.decode("utf-8-sig").startswith("行号,列,值,原因")
    assert paying.user("e1").get(
        f"/import/report/{started.headers['location'].rsplit('/', 1)[1]}"
    ).status_code in (403, 404)
    wrong = li.post("/import", {"kind": "enterprises"}, files={"file": ("企业.txt", b"x", "text/plain")})
    assert "只能导入 CSV 或 Excel" in text_of(li.follow(wrong).text)
    header = "统一社会信用代码,企业名称,行政区划代码\n".encode()
    broken = li.post("/import", {"kind": "enterprises"}, files={"file": ("空.csv", header, "text/csv")})
    failed = paying.wait(broken)
    assert failed.state == "failed" and failed.error.startswith("空.csv") and "没有数据行" in failed.error


def test_uploads_above_the_limit_are_refused_with_a_page_and_store_nothing(
    paying_world, tmp_path, monkeypatch
):
    monkeypatch.setenv("HUIQI_MAX_UPLOAD_MB", "0.05")  # 51 KB per file; the request may carry 256 KB more
    pages = Pages(paying_world, tmp_path / "evidence")
    w = pages.world
    e1 = pages.user("e1")
    centre = w.entitlement(w.E1, "企业技术中心")
    form = {"claimed_wan": "90"}
    big = e1.post(
        f"/me/apply/{centre.id}", form, files={"files": ("big.pdf", PDF + b"0" * 60_000, "application/pdf")}
    )
    assert big.status_code == 413 and "文件超过" in text_of(big.text)
    huge = e1.post(
        f"/me/apply/{centre.id}", form, files={"files": ("huge.pdf", PDF + b"0" * 400_000, "application/pdf")}
    )
    assert huge.status_code == 413 and huge.headers["content-type"].startswith("text/html")
    assert "请求内容超过" in text_of(huge.text)
    assert _count(w, Application) == 0 and not any((tmp_path / "evidence").rglob("*"))


def test_a_mistyped_address_gets_a_chinese_page_without_parameter_names(pages):
    user = pages.user("li")
    path = user.get("/library/not-a-number")
    assert path.status_code == 404 and "没有找到" in text_of(path.text)
    query = user.get("/library", params={"level": "级" * 40})
    shown = text_of(query.text)
    assert (
        query.status_code == 422 and "地址中的查询条件不正确(最多16个字符)" in shown and "level" not in shown
    )
    job = user.get("/jobs/unknown-job-id")
    assert job.status_code == 404 and "没有这个任务" in text_of(job.text)
