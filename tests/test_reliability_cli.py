"""The command line under misuse and contention, as real processes (SQLite and PostgreSQL):
every failure is one Chinese line, and jobs started at the same moment leave the data whole."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from huiqi.db.engine import make_engine, session_scope
from huiqi.db.models import Document, DocumentVersion, Enterprise, Entitlement, ImportRun, MatchRun

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
ENGLISH = re.compile(r"Traceback|Usage|Options|Invalid value|Error:|No such|Missing|Exception")


def env(data: Path, url: str | None = None) -> dict[str, str]:
    values = {**os.environ, "COLUMNS": "300", "HUIQI_DATA_DIR": str(data)}
    values.pop("HUIQI_DATABASE_URL", None)
    if url:
        values["HUIQI_DATABASE_URL"] = url
    return values


def huiqi(data: Path, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "huiqi.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env(data, url),
    )


def one_chinese_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert not ENGLISH.search(lines[0]), lines[0]
    assert re.search(r"[\u4e00-\u9fff]", lines[0])
    return lines[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("match", "--n", "5"), "没有选项 --n"),
        (("match", "--year", "明年"), "--year 的值无效"),
        (("match", "--format", "pdf"), "不是可选值之一"),
        (("extract",), "缺少参数"),
        (("registry", "generate", "--n", "0"), "--n 的值无效"),
        (("nosuch",), "没有命令 nosuch"),
    ],
)
def test_usage_errors_are_chinese(tmp_path, args, words):
    result = huiqi(tmp_path, *args)
    assert result.returncode == 2
    assert words in one_chinese_line(result)


def test_help_is_chinese(tmp_path):
    result = huiqi(tmp_path, "import", "--help")
    assert result.returncode == 0
    assert "用法" in result.stdout and "选项" in result.stdout and "显示本帮助并退出" in result.stdout
    assert "Usage" not in result.stdout and "Show this message" not in result.stdout


def test_a_missing_path_given_to_ingest(tmp_path):
    result = huiqi(tmp_path, "ingest", "shared/seeds")  # the README's example from the wrong folder
    assert result.returncode == 1
    assert "文件或文件夹不存在" in one_chinese_line(result)


def test_an_export_path_that_is_a_folder(tmp_path):
    folder = tmp_path / "已存在的文件夹"
    folder.mkdir()
    result = huiqi(tmp_path / "data", "import", "--template", "企业", "--out", str(folder))
    assert result.returncode == 1
    assert "是文件夹" in one_chinese_line(result)


def test_a_database_that_is_down(tmp_path):
    result = huiqi(tmp_path, "rules", url="postgresql+psycopg://postgres@127.0.0.1:9/huiqi")
    assert result.returncode == 1
    assert "无法连接数据库" in one_chinese_line(result)


def test_a_data_folder_that_is_a_file(tmp_path):
    data = tmp_path / "huiqi-data"
    data.write_text("not a folder", "utf-8")
    result = huiqi(data, "rules")
    assert result.returncode == 1
    assert "数据目录应是文件夹" in one_chinese_line(result)


def test_a_damaged_workbook(tmp_path):
    path = tmp_path / "企业.xlsx"
    path.write_bytes(b"PK\x03\x04" + os.urandom(300))
    result = huiqi(tmp_path, "import", "企业", str(path))
    assert result.returncode == 1
    assert "不是有效的.xlsx文件" in one_chinese_line(result)


# --- jobs started at the same moment ---------------------------------------------------------


def start(data: Path, url: str | None, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "huiqi.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(data, url),
    )


def finish(*jobs: subprocess.Popen[str]) -> None:
    for job in jobs:
        _, stderr = job.communicate(timeout=300)
        assert job.returncode == 0, stderr
        assert "Traceback" not in stderr and "locked" not in stderr


def test_concurrent_jobs_keep_the_data_whole(database_url, tmp_path):
    url = None if database_url.startswith("sqlite") else database_url
    data = tmp_path / "data"
    synth = tmp_path / "synth"
    assert huiqi(data, "registry", "generate", "--n", "300", "--out", str(synth), url=url).returncode == 0

    finish(start(data, url, "ingest", str(SEEDS)), start(data, url, "ingest", str(SEEDS)))
    first = start(data, url, "import", "enterprises", str(synth / "enterprises.csv"))
    second = start(data, url, "import", "enterprises", str(synth / "enterprises.csv"))
    finish(first, second)
    finish(
        start(data, url, "import", "recognitions", str(synth / "recognitions.csv")),
        start(data, url, "match", "--as-of", "2025-06-30", "--format", "json"),
    )
    finish(*(start(data, url, "match", "--as-of", "2025-12-31") for _ in range(4)))

    engine = make_engine(url or f"sqlite:///{data}/huiqi.db")
    try:
        with session_scope(engine) as session:

            def count(model, *where) -> int:
                return session.scalar(select(func.count()).select_from(model).where(*where))

            assert count(Document) == 5 and count(DocumentVersion) == 5
            assert count(Enterprise) == 300 and count(ImportRun) == 3
            assert count(MatchRun) == 2  # one per as-of date, not six
            runs = session.scalars(select(MatchRun).where(MatchRun.run_key.like("2025-12-31%"))).all()
            assert len(runs) == 1 and count(Entitlement, Entitlement.run_id == runs[0].id) > 0
    finally:
        engine.dispose()
