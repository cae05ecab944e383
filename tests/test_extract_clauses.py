"""A clause or an excerpt pasted alone is read (an officer pastes one reward clause from a web page);
only text with no sign of policy at all is refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from huiqi.errors import NotAPolicyError
from huiqi.extract.pipeline import extract_file, looks_like_policy


def test_a_single_reward_clause_is_read_by_the_command(tmp_path: Path) -> None:
    clause = tmp_path / "clause.txt"
    clause.write_text("对首次认定为省级企业技术中心的企业,给予一次性奖励30万元。", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "huiqi.cli", "extract", str(clause), "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    (row,) = json.loads(out.stdout)["incentives"]
    assert (row["kind"], row["amount_wan"], row["level"], row["one_time"]) == ("fixed", 30, "省级", True)


def test_a_traditional_clause_with_page_furniture_is_read(tmp_path: Path) -> None:
    clause = tmp_path / "clause.txt"
    clause.write_text(
        "首頁 > 政策法規\n字號:大 中 小\n對新認定的國家級專精特新「小巨人」企業,給予50萬元獎勵。\n【打印本頁】【關閉窗口】",
        encoding="utf-8",
    )
    (row,) = extract_file(clause).incentives
    assert (row.kind, row.amount_wan, row.level) == ("fixed", 50, "国家级")
    assert "小巨人" in row.subject


def test_a_clause_without_a_number_is_read_as_unspecified(tmp_path: Path) -> None:
    clause = tmp_path / "clause.txt"
    clause.write_text("对引进的重大产业项目,给予适当补助。", encoding="utf-8")
    (row,) = extract_file(clause).incentives
    assert row.kind == "unspecified"


@pytest.mark.parametrize(
    "text",
    [
        "今天天气晴朗,我们去公园散步,看到很多人在放风筝。",
        "The company reported revenue of 100 million yuan this year.",
        "会议纪要:参会人员讨论了下一阶段的工作安排,会后形成纪要。",
    ],
)
def test_text_with_no_policy_signal_is_still_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "note.txt"
    path.write_text(text, encoding="utf-8")
    assert not looks_like_policy(text)
    with pytest.raises(NotAPolicyError, match="内容不像政策文件"):
        extract_file(path)
