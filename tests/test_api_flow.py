"""The whole platform over HTTP: an officer reviews and publishes, the match runs, an enterprise
applies with evidence, an officer approves and confirms, finance pays and reverses, the auditor
reads the chain (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import io

from PIL import Image

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_review_publish_apply_approve_pay_and_audit(api):
    w = api.world
    # 审核: the officer sees the flagged rows, fixes them and publishes.
    [doc] = api.get("/documents", "li").json()["items"]
    assert doc["pending_review"] == 3 and doc["published_version"] is None
    detail = api.get(f"/documents/{doc['id']}", "li").json()
    flagged = [i for i in detail["incentives"] if i["blocking"]]
    assert len(flagged) == 3 and all(i["flagged"] for i in flagged)
    refused = api.post(f"/documents/{doc['id']}/publish", "li", json={"reason": "发布"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "review_pending"
    first, second, third = (i["id"] for i in flagged)
    fixed = api.patch(
        f"/incentives/{first}", "li", json={"subject": "新认定的国家级绿色工厂", "reason": "分别对应国家级"}
    )
    assert fixed.status_code == 200 and fixed.json()["status"] == "corrected"
    [note] = fixed.json()["history"]
    assert (note["field"], note["before"], note["after"], note["by"]) == (
        "subject",
        "新认定的国家级绿色工厂、省级绿色工厂",
        "新认定的国家级绿色工厂",
        "li",
    )
    assert (
        api.patch(
            f"/incentives/{second}",
            "li",
            json={"subject": "新认定的省级绿色工厂", "level": "省级", "reason": "省级"},
        ).status_code
        == 200
    )
    assert (
        api.post(f"/incentives/{third}/exclude", "li", json={"reason": "多出的金额"}).json()["status"]
        == "excluded"
    )
    published = api.post(f"/documents/{doc['id']}/publish", "li", json={"reason": "审核完毕"})
    assert published.status_code == 201
    gold = api.get(f"/documents/{doc['id']}/gold", "li")
    assert gold.headers["content-type"].startswith("application/yaml") and "审核更正" in gold.text
    # 政策找企业 over the published reading, with its inputs recorded.
    run = api.post("/match-runs", "li", json={"as_of": w.AS_OF})
    assert (
        run.status_code == 201
        and run.json()["inputs"][f"publication:document:{doc['id']}"]["publication_id"]
        == published.json()["id"]
    )
    mine = {i["subject"]: i for i in api.get(f"/enterprises/{w.E1}/entitlements", "e1").json()["items"]}
    centre = mine["新认定的国家级企业技术中心"]
    # 最高100万元, of which the district's 50 is cut to fit the tax limit beside the 小巨人 grant
    assert (centre["mode"], centre["status"], centre["cap_wan"]) == ("需申报", "open", 90.0)
    # 申报 with evidence.
    applied = api.post(
        "/applications", "e1", json={"entitlement_id": centre["id"], "claimed_wan": 100, "note": "已获认定"}
    )
    assert applied.status_code == 201 and applied.json()["status"] == "submitted"
    app_id = applied.json()["id"]
    upload = api.post(
        f"/applications/{app_id}/evidence", "e1", files={"file": ("认定文件.pdf", PDF, "application/pdf")}
    )
    assert upload.status_code == 201 and upload.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    png = api.post(
        f"/applications/{app_id}/evidence", "e1", files={"file": ("现场.png", _png(), "image/png")}
    )
    assert png.json()["media_type"] == "image/png"
    disguised = api.post(
        f"/applications/{app_id}/evidence",
        "e1",
        files={"file": ("发票.pdf", b"just text, not a pdf", "application/pdf")},
    )
    assert disguised.status_code == 415 and disguised.json()["error"]["field"] == "file"
    assert (
        api.post(
            f"/applications/{app_id}/evidence", "e4", files={"file": ("x.pdf", PDF, "application/pdf")}
        ).status_code
        == 404
    )
    evidence_id = upload.json()["id"]
    download = api.get(f"/applications/{app_id}/evidence/{evidence_id}", "li")
    assert download.content == PDF and download.headers["content-type"] == "application/pdf"
    # 审核: the queue, an amount above the computation, then approval.
    queue = api.get("/applications?status=submitted", "li").json()["items"]
    assert [a["id"] for a in queue] == [app_id]
    assert api.get("/applications?status=submitted", "zhao").json()["items"] == []
    too_much = api.post(
        f"/applications/{app_id}/decision",
        "li",
        json={"decision": "approve", "amount_wan": 101, "reason": "通过"},
    )
    assert too_much.status_code == 422 and too_much.json()["error"]["field"] == "amount_wan"
    approved = api.post(
        f"/applications/{app_id}/decision", "li", json={"decision": "approve", "reason": "材料齐全"}
    )
    assert (
        approved.status_code == 200
        and approved.json()["approved_wan"] == approved.json()["computed_wan"] == 100.0
    )
    again = api.post(
        f"/applications/{app_id}/decision", "li", json={"decision": "approve", "reason": "再批一次"}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_decided"
    # 免申即享 in one batch; the giant's 区 half no longer fits under E1's cap (60, 50 taken).
    giant = mine["新认定的国家级专精特新“小巨人”企业"]
    fair = mine["企业参加境外展会的"]
    confirmed = api.post("/entitlements/confirm", "li", json={"document": doc["id"]})
    assert confirmed.status_code == 200 and len(confirmed.json()["confirmed"]) == 3
    [skipped] = confirmed.json()["skipped"]
    assert skipped["id"] == giant["id"] and "超过限额" in skipped["reason"]
    # 兑付 by finance, split by paying level; a reversal by counter-entry.
    paid = api.post("/payouts", "cai", json={"application_id": app_id, "reference": "ZF-2025-0001"})
    assert paid.status_code == 201
    assert {s["payer"]: s["amount_wan"] for s in paid.json()["split"]} == {"市级": 50.0, "区级": 50.0}
    assert (
        api.post("/payouts", "cai", json={"entitlement_id": giant["id"]}).status_code == 409
    )  # not confirmed
    fair_paid = api.post("/payouts", "cai", json={"entitlement_id": fair["id"]})
    assert fair_paid.status_code == 201 and fair_paid.json()["amount_wan"] == 3.0
    assert api.post("/payouts", "cai", json={"entitlement_id": fair["id"]}).status_code == 409  # paid once
    reversed_ = api.post(f"/payouts/{fair_paid.json()['id']}/reversal", "cai", json={"reason": "账号有误"})
    assert reversed_.status_code == 201 and reversed_.json()["reversal"]["amount_wan"] == 3.0
    # The enterprise follows its application to payout; others cannot see it.
    followed = api.get(f"/applications/{app_id}", "e1").json()
    assert [h["to_status"] for h in followed["history"]] == ["submitted", "approved"]
    assert len(followed["evidence"]) == 2
    listed = api.get(f"/enterprises/{w.E1}/entitlements", "e1").json()["items"]
    statuses = {i["subject"]: i["status"] for i in listed}
    assert statuses["新认定的国家级企业技术中心"] == "paid" and statuses["企业参加境外展会的"] == "confirmed"
    assert statuses["新认定的国家级专精特新“小巨人”企业"] == "open"
    assert api.get(f"/payouts/{paid.json()['id']}", "e4").status_code == 404
    assert len(api.get("/payouts", "e1").json()["items"]) == 2
    # The auditor reads every change, newest first, and the chain holds.
    log = api.get("/audit?limit=500", "shen").json()["items"]
    assert {"session.sign_in"} <= {entry["action"] for entry in log}
    actions = [entry["action"] for entry in log if not entry["action"].startswith("session.")]
    assert actions[0] == "payout.reverse" and [s for s in (e["seq"] for e in log)] == sorted(
        (e["seq"] for e in log), reverse=True
    )
    for action in (
        "review.correct",
        "review.exclude",
        "document.publish",
        "match.run",
        "application.submit",
        "evidence.add",
        "application.approve",
        "entitlement.confirm",
        "payout.pay",
    ):
        assert action in actions
    assert api.get("/audit/verify", "shen").json()["ok"] is True


def test_uploads_above_the_limit_are_refused_before_they_are_stored(world, tmp_path, monkeypatch):
    monkeypatch.setenv("HUIQI_MAX_UPLOAD_MB", "0.05")  # 51 KB
    from conftest import ServiceClient

    world.review_city()
    world.publish(world.city)
    world.run()
    api = ServiceClient(world, tmp_path / "evidence")
    centre = world.entitlement(world.E1, "企业技术中心")
    app_id = api.post("/applications", "e1", json={"entitlement_id": centre.id, "claimed_wan": 10}).json()[
        "id"
    ]
    big = PDF + b"0" * 60_000
    answer = api.post(
        f"/applications/{app_id}/evidence", "e1", files={"file": ("big.pdf", big, "application/pdf")}
    )
    assert answer.status_code == 413 and answer.json()["error"]["field"] == "file"
    huge = PDF + b"0" * 400_000  # past the whole request limit: refused before the form is read
    assert (
        api.post(
            f"/applications/{app_id}/evidence", "e1", files={"file": ("huge.pdf", huge, "application/pdf")}
        ).status_code
        == 413
    )
    assert not (tmp_path / "evidence").exists() or not any((tmp_path / "evidence").rglob("*"))
