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
                conn.execute(text(f"DROP TRIGGER {name}"))
        for statement in statements:
            conn.execute(text(statement))


def test_an_intact_chain_verifies(chained):
    verdict = _verdict(chained)
    assert (verdict.ok, verdict.checked) == (True, 5)
    with chained.connect() as conn:
        rows = conn.execute(
            select(AuditEntry.seq, AuditEntry.prev_hash, AuditEntry.hash).order_by(AuditEntry.seq)
        ).all()
    assert all(rows[i].prev_hash == rows[i - 1].hash for i in range(1, len(rows)))
    detail = json.loads(
        chained.connect().execute(select(AuditEntry.detail).where(AuditEntry.seq == 2)).scalar()
    )
    assert detail == {
        "before": {"status": "submitted"},
        "after": {"status": "approved", "amount_wan": 20.0},
        "reason": "材料齐全",
    }


def test_the_database_refuses_to_edit_or_delete_entries(chained):
    for statement in (
        "UPDATE audit_log SET actor = 'nobody' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 5",
    ):
        with pytest.raises(IntegrityError), chained.begin() as conn:
            conn.execute(text(statement))
    assert _verdict(chained).ok


def test_an_edited_entry_is_caught(chained):
    _as_database_owner(
        chained, """UPDATE audit_log SET detail = replace(detail, '30.0', '300.0') WHERE seq = 3"""
    )
    verdict = _verdict(chained)
    assert (verdict.ok, verdict.bad_seq) == (False, 3)
    assert "修改" in verdict.describe()


def test_a_removed_entry_is_caught(chained):
    _as_database_owner(chained, "DELETE FROM audit_log WHERE seq = 2")
    verdict = _verdict(chained)
    assert (verdict.ok, verdict.bad_seq) == (False, 2)


def test_a_removed_last_entry_is_caught(chained):
    _as_database_owner(chained, "DELETE FROM audit_log WHERE seq = 5")
    verdict = _verdict(chained)
    assert (verdict.ok, verdict.bad_seq) == (False, 5)


def test_reordered_entries_are_caught(chained):
    _as_database_owner(
        chained,
        "UPDATE audit_log SET seq = 100 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 100",
    )
    verdict = _verdict(chained)
    assert (verdict.ok, verdict.bad_seq) == (False, 2)


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


def test_audit_verify_command_exits_1_naming_the_first_bad_entry(chained, database_url, tmp_path):
    ok = _cli(database_url, tmp_path, "audit", "verify")
    assert ok.returncode == 0 and "审计链完整:共 5 条记录" in ok.stdout
    _as_database_owner(chained, "UPDATE audit_log SET actor = 'someone' WHERE seq = 4")
    bad = _cli(database_url, tmp_path, "audit", "verify")
    assert bad.returncode == 1 and "第 4 条记录" in bad.stderr and "Traceback" not in bad.stderr


def test_user_add_reads_the_password_from_stdin_and_is_audited(
    engine, database_url, tmp_path, cheap_passwords
):
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
    assert added.returncode == 0, added.stderr
    assert "范围 3701" in added.stdout
    refused = _cli(
        database_url, tmp_path, "user", "add", "acme", "--role", "enterprise", stdin="S3cret-pass\n"
    )
    assert (
        refused.returncode == 1 and "统一社会信用代码" in refused.stderr and "Traceback" not in refused.stderr
    )
    short = _cli(database_url, tmp_path, "user", "add", "wu", "--role", "finance", stdin="short\n")
    assert short.returncode == 1 and "密码至少8位" in short.stderr
    with engine.connect() as conn:
        actions = conn.execute(select(AuditEntry.action, AuditEntry.object_id)).all()
    assert [tuple(a) for a in actions] == [("user.add", "li")]
