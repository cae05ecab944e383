"""A match against the database (SQLite and PostgreSQL): stored runs, re-runs, versions."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from sqlalchemy import func, select
from stdnum.cn import uscc as uscc_lib

from huiqi.db.engine import session_scope
from huiqi.db.models import Entitlement, MatchRun
from huiqi.library import ingest_file
from huiqi.match.service import run_match
from huiqi.registry.store import store

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def code(region: str, serial: int) -> str:
    body = f"91{region}{serial:09d}"[:17]
    return body + uscc_lib.calc_check_digit(body)


def count(engine, model, *where) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_match_is_stored_replaced_on_rerun_and_follows_new_versions(engine, tmp_path):
    doc = tmp_path / "001.txt"
    shutil.copy(next(SEEDS.glob("001_*.txt")), doc)
    firm = code("370705", 1)
    with session_scope(engine) as session:
        ingest_file(session, doc)
        store(session, "enterprises", [{"uscc": firm, "name": "潍坊甲公司", "region_code": "370705"}], [2])
        store(
            session,
            "recognitions",
            [
                {
                    "uscc": firm,
                    "kind": "专精特新小巨人",
                    "level": "国家级",
                    "granted_on": dt.date(2024, 7, 1),
                    "review": False,
                },
                {
                    "uscc": firm,
                    "kind": "制造业单项冠军",
                    "level": "省级",
                    "granted_on": dt.date(2023, 3, 1),
                    "review": False,
                },
            ],
            [2, 3],
        )
    as_of = dt.date(2025, 6, 30)
    first = run_match(engine, as_of)
    assert first.entitlements.height == 2
    assert count(engine, Entitlement) == 2 and count(engine, MatchRun) == 1
    with session_scope(engine) as session:
        stored = {
            e.subject: (e.amount_wan, e.cap_wan, e.mode, e.status, e.year)
            for e in session.scalars(select(Entitlement))
        }
    assert stored["新认定为国家级专精特新“小巨人”的企业"] == (None, 80.0, "需申报", "享受", 2024)

    run_match(engine, as_of)  # the same as-of date again: replaced, not piled up
    assert count(engine, MatchRun) == 1 and count(engine, Entitlement) == 2
    run_match(engine, as_of, year=2024)
    assert count(engine, MatchRun) == 2

    doc.write_text(doc.read_text("utf-8").replace("给予最高80万元奖励", "给予最高90万元奖励"), "utf-8")
    with session_scope(engine) as session:
        assert ingest_file(session, doc).status == "new_version"
    latest = run_match(engine, as_of, year=2024)
    giant = latest.entitlements.filter(latest.entitlements["subject"].str.contains("小巨人"))
    assert giant["cap_wan"].to_list() == [90.0]  # rules follow the latest version
    with session_scope(engine) as session:
        versions = set(session.scalars(select(Entitlement.document_version_id)))
    assert len(versions) == 2  # the earlier run still points at the version it was computed from
