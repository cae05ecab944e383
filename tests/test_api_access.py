"""Accounts and access over HTTP: sign-in, expiry, throttling, cookie sessions with CSRF, what each
role sees, and errors in the contract's shape and in Chinese (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import update

from huiqi.db.models import AccessToken

ENGLISH = re.compile(r"Field required|Input should|value is not|Traceback|Not Found|Method Not Allowed")


def _error(answer, status: int, code: str | None = None) -> dict:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert re.search(r"[\u4e00-\u9fff]", body["error"]["message"]) and not ENGLISH.search(answer.text)
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_sign_in_gives_an_expiring_token_and_wrong_credentials_get_401(api):
    ok = api.http.post("/api/v1/session", json={"username": "e1", "password": api.world.password("e1")})
    assert ok.status_code == 200
    body = ok.json()
    assert body["role"] == "enterprise" and len(body["token"]) >= 40
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert dt.timedelta(hours=7) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=8)
    wrong = _error(api.http.post("/api/v1/session", json={"username": "e1", "password": "nope-nope"}), 401)
    unknown = _error(
        api.http.post("/api/v1/session", json={"username": "nobody", "password": "nope-nope"}), 401
    )
    assert wrong["message"] == unknown["message"] == "用户名或密码错误"
    who = api.http.get("/api/v1/session", headers={"Authorization": f"Bearer {body['token']}"})
    assert who.json()["uscc"] == api.world.E1
    api.http.cookies.clear()
    _error(api.http.get("/api/v1/documents"), 401)
    _error(api.http.get("/api/v1/documents", headers={"Authorization": "Bearer forged"}), 401)
    # An expired token, and a signed-out one, are refused.
    headers = api.login("e1")
    with api.world.engine.begin() as conn:
        conn.execute(update(AccessToken).values(expires_at=dt.datetime(2020, 1, 1)))
    _error(api.http.get("/api/v1/session", headers=headers), 401, "token_expired")
    api._tokens.clear()
    headers = api.login("e1")
    assert api.http.delete("/api/v1/session", headers=headers).status_code == 204
    _error(api.http.get("/api/v1/session", headers=headers), 401)


def test_repeated_failures_are_throttled_even_for_the_right_password(api):
    for _ in range(5):
        _error(api.http.post("/api/v1/session", json={"username": "li", "password": "guess-guess"}), 401)
    throttled = api.http.post(
        "/api/v1/session", json={"username": "li", "password": api.world.password("li")}
    )
    _error(throttled, 429, "too_many_attempts")
    assert int(throttled.headers["Retry-After"]) > 0
    assert (
        api.http.post(
            "/api/v1/session", json={"username": "cai", "password": api.world.password("cai")}
        ).status_code
        == 200
    )


def test_cookie_sessions_need_the_csrf_token_for_changes(api):
    signed = api.http.post(
        "/api/v1/session", json={"username": "admin", "password": api.world.password("admin")}
    )
    csrf = signed.json()["csrf"]
    assert "httponly" in signed.headers["set-cookie"].lower()
    assert api.http.get("/api/v1/documents").status_code == 200  # the cookie alone reads
    body = {"name": "district_retention", "region": "3701", "value": 0.4, "reason": "财政通知"}
    _error(api.http.post("/api/v1/parameters", json=body), 403, "csrf_failed")
    _error(
        api.http.post("/api/v1/parameters", json=body, headers={"X-CSRF-Token": "forged"}), 403, "csrf_failed"
    )
    assert api.http.post("/api/v1/parameters", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201


SCOPES = {
    "e1": {"E1"},
    "e4": {"E4"},
    "li": {"E1", "E2", "E4"},  # 济南市
    "wang": {"E4"},  # 市中区 only
    "zhao": {"E3"},  # 潍坊市
    "cai": {"E1", "E2", "E3", "E4"},
    "shen": {"E1", "E2", "E3", "E4"},
}


def test_each_role_sees_exactly_its_enterprises_and_others_are_404(paying_api):
    w = paying_api.world
    for user, sees in SCOPES.items():
        for name in ("E1", "E2", "E3", "E4"):
            uscc = getattr(w, name)
            profile = paying_api.get(f"/enterprises/{uscc}", user)
            listing = paying_api.get(f"/enterprises/{uscc}/entitlements", user)
            if name in sees:
                assert profile.status_code == 200 and profile.json()["uscc"] == uscc, (user, name)
                assert listing.status_code == 200
            else:
                _error(profile, 404, "not_found")
                _error(listing, 404, "not_found")
        listed = {item["uscc"] for item in paying_api.get("/enterprises", user).json()["items"]}
        assert listed == {getattr(w, name) for name in sees}, user
        entitlements = {
            item["uscc"] for item in paying_api.get("/entitlements?limit=500", user).json()["items"]
        }
        assert entitlements <= {getattr(w, name) for name in sees}, user
        assert bool(entitlements) == (sees != {"E3"}), user  # nothing pays in 潍坊


def test_entitlements_carry_the_contracts_fields(paying_api):
    w = paying_api.world
    answer = paying_api.get(f"/enterprises/{w.E1}/entitlements", "e1").json()
    assert answer["total"] == len(answer["items"]) == 5 and answer["next"] is None
    for item in answer["items"]:
        assert {
            "id",
            "document",
            "subject",
            "kind",
            "amount_wan",
            "cap_wan",
            "payers",
            "mode",
            "status",
            "reason",
        } <= set(item)
    modes = {item["subject"]: item["mode"] for item in answer["items"]}
    assert modes["新认定的国家级企业技术中心"] == "需申报" and modes["企业参加境外展会的"] == "免申即享"
    paged = paying_api.get(f"/enterprises/{w.E1}/entitlements?limit=2", "e1").json()
    rest = paying_api.get(f"/enterprises/{w.E1}/entitlements?limit=500&cursor={paged['next']}", "e1").json()
    assert [i["id"] for i in paged["items"] + rest["items"]] == [i["id"] for i in answer["items"]]


def test_roles_are_held_to_their_jobs(paying_api):
    w = paying_api.world
    item = paying_api.get(f"/documents/{w.city}", "li").json()["incentives"][0]["id"]
    _error(
        paying_api.patch(f"/incentives/{item}", "e1", json={"amount_wan": 1, "reason": "想多拿"}),
        403,
        "forbidden",
    )
    _error(paying_api.patch(f"/incentives/{item}", "zhao", json={"amount_wan": 1, "reason": "别的地区"}), 403)
    giant = w.entitlement(w.E1, "小巨人")
    _error(paying_api.post("/entitlements/confirm", "cai", json={"ids": [giant.id]}), 403)
    _error(paying_api.post("/payouts", "li", json={"entitlement_id": giant.id}), 403)
    _error(paying_api.get("/audit", "admin"), 403)
    _error(
        paying_api.post("/users", "li", json={"username": "x1", "password": "12345678", "role": "admin"}), 403
    )


MALFORMED = [
    ({"entitlement_id": 1, "claimed_wan": "很多"}, "claimed_wan", "应为数字"),
    ({"entitlement_id": 1}, "claimed_wan", "缺少必填字段"),
    ({"entitlement_id": 1, "claimed_wan": -5}, "claimed_wan", "须大于0"),
    ({"entitlement_id": 1, "claimed_wan": 5, "bonus": 1}, "bonus", "不认识的字段"),
    ({"entitlement_id": "一", "claimed_wan": 5}, "entitlement_id", "应为整数"),
    ({"entitlement_id": 1, "claimed_wan": 5, "note": "很长" * 1001}, "note", "最多2000个字符"),
]


def test_malformed_input_is_a_4xx_with_a_chinese_message_naming_the_field(paying_api):
    for body, field, words in MALFORMED:
        error = _error(paying_api.post("/applications", "e1", json=body), 422, "invalid")
        assert error["field"] == field and field in error["message"] and words in error["message"], error
    broken = paying_api.http.post(
        "/api/v1/applications",
        content=b"{broken",
        headers={**paying_api.login("e1"), "Content-Type": "application/json"},
    )
    assert "不是有效的 JSON" in _error(broken, 422)["message"]
    assert _error(paying_api.get("/documents?limit=1000", "e1"), 422)["field"] == "limit"
    assert _error(paying_api.get("/documents?cursor=abc", "e1"), 422)["field"] == "cursor"
    _error(paying_api.get("/no-such-thing", "e1"), 404)
    _error(paying_api.http.put("/api/v1/documents", headers=paying_api.login("e1")), 405)
    _error(paying_api.get("/applications/999999", "e1"), 404)


def test_an_unexpected_failure_never_shows_a_stack_trace(paying_api, monkeypatch):
    import huiqi.web.routes.enterprises as routes

    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internals /srv/huiqi/db.py line 42")

    monkeypatch.setattr(routes, "entitlement_list", explode)
    answer = paying_api.get("/entitlements", "li")
    error = _error(answer, 500, "internal_error")
    assert (
        "secret" not in answer.text
        and "RuntimeError" not in answer.text
        and "服务器内部错误" in error["message"]
    )
