"""The audit chain: every change is recorded, the database refuses edits, and `huiqi audit
verify` catches an edited, a removed and a reordered entry (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from huiqi.audit.chain import record, verify
from huiqi.db.models import AuditEntry


@pytest.fixture
def chained(engine):
    """Five entries recorded the way the service records them."""
    from huiqi.db.engine import session_scope

    for n in range(1, 6):
        with session_scope(engine) as s:
            record(
                s,
                f"officer{n}",
                "application.approve",
                "application",
                n,
                before={"status": "submitted"},
                after={"status": "approved", "amount_wan": 10.0 * n},
                reason="材料齐全",
            )
    return engine


def _verdict(engine):
    from huiqi.db.engine import session_scope

    with session_scope(engine) as s:
        return verify(s)


def _as_database_owner(engine, *statements: str) -> None:
    """Tamper as someone with the database's own rights would: switch off the guard first."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_head DISABLE TRIGGER USER"))
        else:
            for name in ("tr_audit_log_no_update", "tr_audit_log_no_delete", "tr_audit_head_forward"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        for statement in statements:
            conn.execute(text(statement))


def test_an_intact_chain_verifies_and_the_database_refuses_edits(chained):
    verdict = _verdict(chained)
    assert (verdict.ok, verdict.checked) == (True, 5)
    with chained.connect() as conn:
        rows = conn.execute(
            select(AuditEntry.seq, AuditEntry.prev_hash, AuditEntry.hash).order_by(AuditEntry.seq)
        ).all()
    assert all(rows[i].prev_hash == rows[i - 1].hash for i in range(1, len(rows)))
    with chained.connect() as conn:
        detail = json.loads(conn.execute(select(AuditEntry.detail).where(AuditEntry.seq == 2)).scalar())
    assert detail == {
        "before": {"status": "submitted"},
        "after": {"status": "approved", "amount_wan": 20.0},
        "reason": "材料齐全",
    }
    # The database itself refuses to edit or delete an entry.
    for statement in (
        "UPDATE audit_log SET actor = 'nobody' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 5",
    ):
        with pytest.raises(IntegrityError), chained.begin() as conn:
            conn.execute(text(statement))
    assert _verdict(chained).ok


def test_an_edited_a_removed_and_reordered_entries_are_each_caught(chained):
    """Each tampering is undone after it is caught, so one chain serves all four."""
    tamperings = [
        (3, ["UPDATE audit_log SET detail = replace(detail, '30.0', '300.0') WHERE seq = 3"], "修改"),
        (2, ["DELETE FROM audit_log WHERE seq = 2"], "删除"),
        (5, ["DELETE FROM audit_log WHERE seq = 5"], "删除"),
        (
            2,
            [
                "UPDATE audit_log SET seq = 100 WHERE seq = 2",
                "UPDATE audit_log SET seq = 2 WHERE seq = 3",
                "UPDATE audit_log SET seq = 3 WHERE seq = 100",
            ],
            "调换",
        ),
    ]
    with chained.connect() as conn:
        original = [dict(row._mapping) for row in conn.execute(select(AuditEntry.__table__))]
    columns = ", ".join(original[0])
    values = ", ".join(f":{name}" for name in original[0])
    for bad, statements, word in tamperings:
        _as_database_owner(chained, *statements)
        verdict = _verdict(chained)
        assert (verdict.ok, verdict.bad_seq) == (False, bad), statements
        assert word in verdict.describe()
        with chained.begin() as conn:  # put the chain back as it was
            conn.execute(text("DELETE FROM audit_log"))
            conn.execute(text(f"INSERT INTO audit_log ({columns}) VALUES ({values})"), original)
        assert _verdict(chained).ok


def _cli(database_url, tmp_path, *args, stdin: str | None = None):
    env = {
        **os.environ,
        "HUIQI_DATABASE_URL": database_url,
        "HUIQI_DATA_DIR": str(tmp_path),
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "huiqi.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
    )


def test_the_commands_add_users_and_verify_the_chain(engine, database_url, tmp_path):
    added = _cli(
        database_url,
        tmp_path,
        "user",
        "add",
        "li",
        "--role",
        "officer",
        "--region",
        "370100",
        stdin="S3cret-pass\n",
    )
    assert added.returncode == 0 and "范围 3701" in added.stdout, added.stderr
    refused = _cli(
        database_url, tmp_path, "user", "add", "acme", "--role", "enterprise", stdin="S3cret-pass\n"
    )
    assert (
        refused.returncode == 1 and "统一社会信用代码" in refused.stderr and "Traceback" not in refused.stderr
    )
    ok = _cli(database_url, tmp_path, "audit", "verify")
    assert ok.returncode == 0 and "审计链完整:共 1 条记录" in ok.stdout
    with engine.connect() as conn:
        actions = conn.execute(select(AuditEntry.action, AuditEntry.object_id)).all()
    assert [tuple(a) for a in actions] == [("user.add", "li")]
    _as_database_owner(engine, "UPDATE audit_log SET actor = 'someone' WHERE seq = 1")
    bad = _cli(database_url, tmp_path, "audit", "verify")
    assert bad.returncode == 1 and "第 1 条记录" in bad.stderr and "Traceback" not in bad.stderr


def test_accounts_are_checked_before_they_are_made(session, cheap_passwords):
    from huiqi.accounts.users import add_user
    from huiqi.payout.errors import Conflict, Invalid

    cases = [
        (("wu", "short", "finance"), {}, "password"),
        (("wu", "long-enough", "boss"), {}, "role"),
        (("wu", "long-enough", "enterprise"), {"uscc": "91370102MA3C7X0Q10"}, "uscc"),
        (("wu", "long-enough", "officer"), {"region": "999999"}, "region"),
        (("wu", "long-enough", "finance"), {"region": "370100"}, "region"),
        (("w u", "long-enough", "finance"), {}, "username"),
    ]
    for args, scope, field in cases:
        with pytest.raises(Invalid) as refused:
            add_user(session, *args, **scope)
        assert refused.value.field == field
    add_user(session, "wu", "long-enough", "officer", region="3701", department="工信局")
    with pytest.raises(Conflict):
        add_user(session, "wu", "long-enough", "finance")
