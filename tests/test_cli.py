"""The ``huiqi`` command as a user runs it: output formats, errors, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
SEED = SEEDS / "000_2e8ad184d2b3b81a.txt"
OTHER = SEEDS / "004_b4a98843751d07cb.txt"
POLICY = """某某市人民政府关于支持制造业发展的若干措施
某政发〔2024〕5号
各区县人民政府,市政府各部门:
一、支持企业创新
1.支持技术改造。对实施技术改造的企业,按设备投资额的8%给予补助,单个项目最高不超过300万元。(责任单位:市工信局、市财政局)
某某市人民政府
2024年3月1日
"""


def huiqi(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}  # a wide terminal, so table cells are not wrapped
    return subprocess.run(
        [sys.executable, "-m", "huiqi.cli", *args], capture_output=True, text=True, timeout=120, env=env
    )


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "policy.txt"
    path.write_text(POLICY, encoding="utf-8")
    return path


def test_json_for_one_file_is_one_object_in_the_spec_shape(policy_file: Path) -> None:
    result = huiqi("extract", str(policy_file), "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) == {"document", "tasks", "incentives", "targets", "stacking"}
    assert doc["document"]["doc_number"] == "某政发〔2024〕5号"
    (row,) = doc["incentives"]
    assert (row["kind"], row["ratio"], row["cap_wan"], row["task"]) == ("ratio", 0.08, 300.0, "1")
    assert doc["tasks"] == [{"id": "1", "title": "支持技术改造", "responsible": ["市工信局", "市财政局"]}]


def test_json_for_several_files_is_a_list_with_sources(policy_file: Path) -> None:
    result = huiqi("extract", str(policy_file), str(SEED), "--format", "json")
    assert result.returncode == 0, result.stderr
    docs = json.loads(result.stdout)
    assert [d["source"] for d in docs] == [str(policy_file), str(SEED)]
    assert docs[1]["document"]["title"] == "济南市人民政府办公厅关于促进工业产品消费的实施意见"


def test_jsonl_prints_one_object_per_line(policy_file: Path) -> None:
    result = huiqi("extract", str(policy_file), str(OTHER), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().split("\n")
    assert len(lines) == 2
    assert json.loads(lines[1])["document"]["doc_number"] == "滨发改工业〔2022〕156号"


def test_table_is_a_chinese_summary(policy_file: Path) -> None:
    result = huiqi("extract", str(policy_file))
    assert result.returncode == 0, result.stderr
    for words in ("奖补条款", "任务及责任单位", "设备投资额", "最高300万元", "市工信局"):
        assert words in result.stdout


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "文件为空"),
        ("notes.xyz", "对企业给予奖励".encode(), "不支持的文件类型"),
        (
            "weather.txt",
            "今天天气晴朗,气温二十度,适合出门散步。明天可能有小雨,出门记得带伞。".encode() * 3,
            "不像政策文件",
        ),
        ("fake.pdf", b"%PDF-1.4 broken", "损坏"),
    ],
)
def test_a_bad_file_gets_one_line_error_and_the_rest_are_still_read(
    tmp_path: Path, policy_file: Path, name: str, content: bytes, reason: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    result = huiqi("extract", str(bad), str(policy_file), "--format", "jsonl")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(error_lines) == 1
    assert name in error_lines[0] and reason in error_lines[0]
    # The good file after the bad one was still read.
    assert json.loads(result.stdout.strip())["tasks"][0]["id"] == "1"


def test_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    result = huiqi("extract", str(tmp_path / "nope.txt"))
    assert result.returncode == 1
    assert "文件不存在" in result.stderr and "Traceback" not in result.stderr


def test_help_texts_are_documented() -> None:
    for command in ("extract", "demo"):
        result = huiqi(command, "--help")
        assert result.returncode == 0
        assert "例" in result.stdout


def test_a_folder_reads_its_documents_as_a_list(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(POLICY, encoding="utf-8")
    (tmp_path / "b.txt").write_text(POLICY.replace("8%", "6%"), encoding="utf-8")
    (tmp_path / "notes.xyz").write_text("不是政策", encoding="utf-8")
    result = huiqi("extract", str(tmp_path), "--format", "json")
    assert result.returncode == 0, result.stderr
    docs = json.loads(result.stdout)
    assert [Path(d["source"]).name for d in docs] == ["a.txt", "b.txt"]
    assert [d["incentives"][0]["ratio"] for d in docs] == [0.08, 0.06]


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    result = huiqi("extract", str(tmp_path))
    assert result.returncode == 1
    assert "没有找到可读取的政策文件" in result.stderr and "Traceback" not in result.stderr
