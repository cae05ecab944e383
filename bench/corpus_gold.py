"""Score the extractor against the project's own corpus gold (`tests/corpus_gold/*.yaml`).

The gold holds keys and numbers; the sentence of each row is read from `../shared/corpus/` at run
time (see `tests/corpus_gold/README.md`). Rows are paired with the shared scorer's own
`pair_incentives`, so "strict" means here what it means for the seed gold. Three readings:

* whole documents, held-in and held-out apart;
* single clauses: every gold sentence given alone, as an officer would paste it, plain and in
  traditional script with a web page's furniture around it;
* the precision of rows without ``needs_review`` (how many of them are fully right).

    python bench/corpus_gold.py            # print the figures and each document's misses
    python bench/corpus_gold.py --quiet    # figures only
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
GOLD_DIR = ROOT / "tests" / "corpus_gold"
# held-in: read while the rules were written; held-out: written blind, scored once, then read
# (its first figures are recorded in docs/extraction-score.md); held-out-2: written blind after
# that, scored at the end; held-out-3: a third blind set (Guangzhou Nansha web pages and 办事指南,
# another province and format, and a Zhejiang document), written before any extraction of it was
# looked at; held-out-4: a fourth blind set (a Nansha page and Zhejiang 431, 442, 509), written
# the same way.
SPLITS = ["held-in", "held-out", "held-out-2", "held-out-3", "held-out-4"]


@cache
def scorer():
    """The shared scorer module (../shared/tools/score_extraction.py), loaded once."""
    spec = importlib.util.spec_from_file_location(
        "score_extraction", SHARED / "tools" / "score_extraction.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def corpus_lines(name: str) -> list[str]:
    """The lines of a corpus file as decoded by the extractor's own loader (1-based via index - 1)."""
    from huiqi.extract.loaders import load_text

    return load_text(CORPUS / name).split("\n")


def gold_files(split: str | None = None) -> list[Path]:
    files = sorted(GOLD_DIR.glob("*.yaml"))
    if split is None:
        return files
    return [f for f in files if yaml.safe_load(f.read_text(encoding="utf-8")).get("split") == split]


def _lines_of(row: dict) -> list[int]:
    line = row["line"]
    return list(line) if isinstance(line, list) else [line]


def row_text(name: str, row: dict) -> str:
    """The gold text of a row: its corpus line(s), joined."""
    lines = corpus_lines(name)
    return "".join(lines[i - 1].strip() for i in _lines_of(row))


@dataclass
class Tally:
    """Counts over scored rows; ``optional`` gold rows and their predicted partners are left out."""

    gold: int = 0
    pred: int = 0
    found: int = 0
    strict: int = 0
    unflagged: int = 0
    unflagged_right: int = 0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("gold", "pred", "found", "strict", "unflagged", "unflagged_right"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.misses += other.misses
        self.wrong += other.wrong
        self.extra += other.extra

    @staticmethod
    def _f1(p: float, r: float) -> float:
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    @property
    def strict_f1(self) -> float:
        p = self.strict / self.pred if self.pred else 1.0
        r = self.strict / self.gold if self.gold else 1.0
        return self._f1(p, r)

    @property
    def found_f1(self) -> float:
        p = self.found / self.pred if self.pred else 1.0
        r = self.found / self.gold if self.gold else 1.0
        return self._f1(p, r)

    @property
    def unflagged_precision(self) -> float:
        return self.unflagged_right / self.unflagged if self.unflagged else 1.0

    def line(self, label: str) -> str:
        return (
            f"{label}: gold {self.gold} pred {self.pred} found {self.found} strict {self.strict} | "
            f"found F1 {self.found_f1:.3f} strict F1 {self.strict_f1:.3f} | "
            f"unflagged {self.unflagged_right}/{self.unflagged} right ({self.unflagged_precision:.1%})"
        )


def _line_of_text(name: str, text: str) -> int | None:
    """The 1-based corpus line a predicted row's sentence starts on (by its first characters)."""
    norm = scorer().norm
    probe = norm(text)[:10]
    if not probe:
        return None
    for i, line in enumerate(corpus_lines(name), start=1):
        if probe in norm(line):
            return i
    # A sentence joined from several lines: look for its head across line ends.
    joined, starts = "", []
    for i, line in enumerate(corpus_lines(name), start=1):
        starts.append((len(joined), i))
        joined += norm(line)
    at = joined.find(probe)
    if at < 0:
        return None
    return max(line for start, line in starts if start <= at)


def score(gold_rows: list[dict], pred_rows: list[dict], label: str = "") -> Tally:
    """Pair gold and predicted rows with the shared scorer and count, leaving optional rows out."""
    pairs = scorer().pair_incentives(gold_rows, pred_rows)
    tally = Tally()
    optional_gold = {i for i, g in enumerate(gold_rows) if g.get("optional")}
    paired_pred = {pi: (gi, v, s) for gi, pi, v, s in pairs}
    paired_gold = {gi for gi, _, _, _ in pairs}
    tally.gold = len(gold_rows) - len(optional_gold)
    for pi, p in enumerate(pred_rows):
        match = paired_pred.get(pi)
        if match and match[0] in optional_gold:
            continue
        tally.pred += 1
        right = bool(match and match[1] and match[2])
        tally.found += bool(match)
        tally.strict += right
        if not p.get("needs_review"):
            tally.unflagged += 1
            tally.unflagged_right += right
        if match and not right:
            g = gold_rows[match[0]]
            tally.wrong.append(
                f"{label} L{g['line']} [{g['key']}] gold {g['kind']} {_numbers(g)} / got {p['kind']} "
                f"{_numbers(p)} «{p['subject'][:40]}»{' ⚠' if p.get('needs_review') else ''}"
            )
        elif not match:
            tally.extra.append(
                f"{label} extra {p['kind']} {_numbers(p)} «{p['subject'][:40]}» :: {p['text'][:50]}"
                f"{' ⚠' if p.get('needs_review') else ''}"
            )
    for gi, g in enumerate(gold_rows):
        if gi not in paired_gold and gi not in optional_gold:
            tally.misses.append(f"{label} L{g['line']} missed [{g['key']}] {g['kind']} {_numbers(g)}")
    return tally


def _numbers(row: dict) -> str:
    return " ".join(f"{k}={row[k]}" for k in ("amount_wan", "cap_wan", "ratio") if row.get(k) is not None)


def _in_scope(gold: dict, name: str, row: dict) -> bool:
    span = gold.get("lines")
    if not span:
        return True
    line = _line_of_text(name, row["text"])
    return line is not None and span[0] <= line <= span[1]


def load(gold_file: Path) -> tuple[dict, list[dict]]:
    """A gold file and its rows with their corpus text filled in."""
    gold = yaml.safe_load(gold_file.read_text(encoding="utf-8"))
    rows = [dict(row, text=row_text(gold["file"], row)) for row in gold.get("incentives") or []]
    return gold, rows


def score_document(gold_file: Path) -> Tally:
    from huiqi.extract.pipeline import extract_file

    gold, rows = load(gold_file)
    pred = extract_file(CORPUS / gold["file"]).model_dump(mode="json")["incentives"]
    pred = [p for p in pred if _in_scope(gold, gold["file"], p)]
    return score(rows, pred, gold_file.stem)


_PAGE_HEAD = "首頁 > 政策法規 > 政策文件\n字號:大 中 小\n"
_PAGE_TAIL = "\n分享到:微信 微博\n【打印本頁】【關閉窗口】"


def clause_cases(gold_file: Path) -> list[tuple[str, list[dict], str]]:
    """Each gold sentence alone, plain and as a traditional-script web snippet, with its gold rows."""
    import opencc

    to_traditional = opencc.OpenCC("s2t").convert
    _, rows = load(gold_file)
    by_text: dict[str, list[dict]] = {}
    for row in rows:
        by_text.setdefault(row["text"], []).append(row)
    cases = []
    for text, group in by_text.items():
        if all(r.get("optional") for r in group):
            continue
        cases.append((text, group, f"{gold_file.stem} L{group[0]['line']}"))
        cases.append(
            (
                _PAGE_HEAD + to_traditional(text) + _PAGE_TAIL,
                group,
                f"{gold_file.stem} L{group[0]['line']} 繁",
            )
        )
    return cases


def score_clauses(gold_file: Path) -> Tally:
    """Every gold sentence extracted from a file of its own (`huiqi extract clause.txt`)."""
    from huiqi.errors import DocumentError
    from huiqi.extract.pipeline import extract_file

    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clause.txt"
        for text, group, label in clause_cases(gold_file):
            path.write_text(text, encoding="utf-8")
            try:
                pred = extract_file(path).model_dump(mode="json")["incentives"]
            except DocumentError as exc:
                pred = []
                tally.extra.append(f"{label} refused: {exc}")
            # The scorer pairs on the sentence; a traditional-script row is compared simplified.
            tally.add(score(group, pred, label))
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quiet", action="store_true", help="figures only, no misses")
    parser.add_argument("--split", choices=SPLITS, help="only this part of the gold")
    parser.add_argument("--clauses", action="store_true", help="also score single clauses")
    parser.add_argument(
        "--titles", action="store_true", help="also measure titles against zhejiang/index.tsv"
    )
    args = parser.parse_args()
    if args.titles:
        files, titled, agreeing, disagreements = score_titles()
        if not args.quiet:
            print("\n".join(disagreements))
        print(f"titles: {titled}/{files} documents titled, {agreeing}/{files} agree with the collected name")
    for split in [args.split] if args.split else SPLITS:
        total = Tally()
        for gold_file in gold_files(split):
            tally = score_document(gold_file)
            total.add(tally)
            if not args.quiet:
                print(tally.line(gold_file.stem))
                for item in tally.misses + tally.wrong + tally.extra:
                    print("   ", item)
        print(total.line(f"corpus {split} documents"))
        if args.clauses:
            clauses = Tally()
            for gold_file in gold_files(split):
                tally = score_clauses(gold_file)
                clauses.add(tally)
                if not args.quiet:
                    for item in tally.misses + tally.wrong + tally.extra:
                        print("   ", item)
            print(clauses.line(f"corpus {split} clauses"))
    return 0


def title_core(title: str) -> str:
    """A title reduced to what names the policy: no issuer before 关于, no 关于印发《…》的通知
    wrapper, no bracketed notes (试行, 2018年修订), no punctuation or spaces."""
    import re

    text = scorer().norm(title)
    if "关于" in text:
        text = text[text.index("关于") :]
    text = re.sub(r"^关于(?:印发|转发)?", "", text)
    text = re.sub(r"的通知$", "", text)
    text = re.sub(r"[((][^()()]*[))]", "", text)
    return re.sub(r"[《》<>〈〉\"'“”、,。:;\s—-]", "", text)


def score_titles() -> tuple[int, int, int, list[str]]:
    """Titles read from the Zhejiang corpus against the names the files were collected under:
    (files, titled, agreeing, disagreements)."""
    from huiqi.errors import DocumentError
    from huiqi.extract.pipeline import extract_file

    index = CORPUS / "zhejiang" / "index.tsv"
    rows = [line.split("\t") for line in index.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    titled = agreeing = 0
    disagreements = []
    for name, _, collected in rows:
        try:
            title = extract_file(CORPUS / "zhejiang" / name).document.title
        except DocumentError:
            title = None
        titled += bool(title)
        a, b = title_core(title or ""), title_core(collected)
        if title and len(a) >= 4 and len(b) >= 4 and (a in b or b in a):
            agreeing += 1
        else:
            disagreements.append(f"{name}: read «{title}» / collected «{collected}»")
    return len(rows), titled, agreeing, disagreements


if __name__ == "__main__":
    sys.exit(main())
