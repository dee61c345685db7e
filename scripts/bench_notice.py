"""Measure the notice reader (metrics.ingest.notice, `python -m metrics notice`) against issue #23's goals.

    .venv/bin/python scripts/bench_notice.py [SEED_NOTICE.txt] [--hostile]

- the corpus of tests/fixtures/notices/: each labelled figure proposed with the right value and qualifier
  and a span that overlaps it (recall), its period where the label gives one, and every proposal that is
  not a labelled figure (the negatives: dates, section numbers, names with digits must be none);
- the seed notice, when its path is given (it is not in the repository): the share of
  data/seed/observations.csv proposed with the same indicator, region and value, and the rows missed;
- the time to read a 10-page notice (the corpus's texts repeated to about 10 pages, 1,600 characters a page).
- with --hostile, texts of about notice.MAX_CHARS built to be slow (one run of digits, spaces, line breaks
  or Chinese numerals; list after list; figures past notice.MAX_FIGURES): the seconds each takes.
Exits 1 when a goal is missed: recall < 95%, any negative, periods < 95%, seed < 90%, or 10 pages ≥ 2 s.
"""

import csv
import json
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from metrics.ingest import notice  # noqa: E402
from metrics.paths import SEED_DIR  # noqa: E402

CORPUS = ROOT / "tests" / "fixtures" / "notices"
PAGE_CHARS = 1600
BUDGET_SECONDS = 2.0


def label_start(text: str, label: dict) -> int:
    """Where a labelled figure starts: its span, inside the words "in" where the span alone is not unique."""
    inside = label.get("in", label["span"])
    found = text.find(inside)
    if found < 0 or text.find(inside, found + 1) >= 0:
        raise ValueError(f"标注“{inside}”在文中不是恰好一处")
    return found + inside.index(label["span"])


def corpus_scores(catalog: notice.Catalog) -> tuple[list[str], bool]:
    labels = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
    total = found = period_right = period_total = negatives = 0
    lines = []
    for file_name, entry in labels.items():
        document = notice.read_text(CORPUS / file_name)
        proposals = notice.propose(document, catalog)
        used = set()
        for label in entry["figures"]:
            total += 1
            start = label_start(document.text, label)
            end = start + len(label["span"])
            match = next((p for p in proposals if p.start < end and start < p.end
                          and Decimal(p.value) == Decimal(str(label["value"]))
                          and p.qualifier == label["qualifier"]), None)
            if match is None:
                lines.append(f"  漏：{file_name} {label['span']} = {label['value']} {label['qualifier']}")
                continue
            found += 1
            used.add((match.start, match.end))
            if "period" in label:
                period_total += 1
                want = label["period"]
                if [match.period_start, match.period_end] == want:
                    period_right += 1
                else:
                    lines.append(f"  期间：{file_name} {label['span']} {match.period_start}–{match.period_end}，"
                                 f"应为 {want[0]}–{want[1]}")
        for proposal in proposals:
            if (proposal.start, proposal.end) not in used:
                negatives += 1
                lines.append(f"  多：{file_name} {proposal.text}（{proposal.sentence[:30]}）")
    recall = found / total
    periods = period_right / period_total if period_total else 1.0
    head = [f"语料：标注数值 {total} 个，找到(值、限定、位置均对) {found} 个，召回 {recall:.1%}；"
            f"多报 {negatives} 个；期间正确 {period_right}/{period_total}（{periods:.1%}）"]
    return head + lines, recall >= 0.95 and negatives == 0 and periods >= 0.95


def seed_score(path: Path, catalog: notice.Catalog) -> tuple[list[str], bool]:
    proposals = notice.propose(notice.read_text(path), catalog)
    offered = Counter((p.indicator_id, p.region, Decimal(p.value)) for p in proposals if p.role == "current")
    locators = {(p.indicator_id, p.region, Decimal(p.value)): p.locator for p in proposals}
    with (SEED_DIR / "observations.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    missed = []
    same_locator = 0
    for row in rows:
        key = (row["indicator_id"], row["region_id"], Decimal(row["value"]))
        if offered[key] > 0:
            offered[key] -= 1
            same_locator += locators[key] == row["source"]
        else:
            missed.append(f"  漏：{row['indicator_id']} {row['region_id']} {row['value']}（{row['evidence']}）")
    share = 1 - len(missed) / len(rows)
    head = [f"种子通报：{len(rows)} 条观测值中 {len(rows) - len(missed)} 条以相同指标、地区、数值提出（{share:.1%}）；"
            f"共提出 {len(proposals)} 行；其中 {same_locator} 条的 locator 与种子行的 source 相同"]
    return head + missed, share >= 0.90


def ten_pages(catalog: notice.Catalog) -> tuple[list[str], bool]:
    texts = [notice.read_text(path).text for path in sorted(CORPUS.glob("*.txt"))]
    body = "\n".join(texts)
    text = (body * (10 * PAGE_CHARS // len(body) + 1))[: 10 * PAGE_CHARS]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        count = len(notice.propose(notice.from_text(text), catalog))
        best = min(best, time.perf_counter() - started)
    line = f"10 页（{len(text):,} 字，{count} 个数值）：{best:.3f} 秒（3 次中最快；目标 < {BUDGET_SECONDS:g} 秒）"
    return [line], best < BUDGET_SECONDS


HOSTILE = {
    "数字": "1" * 999_000,
    "空格": " " * 999_000 + "1件",
    "换行": "\n" * 999_000 + "2024年1月1日",
    "中文数字": "三" * 999_000 + "个",
    "季度列表": "三、" * 499_000 + "季度",
    "一是": "一是" * 499_000,
    "数值过多": "1," * 499_000,
}


def hostile(catalog: notice.Catalog) -> tuple[list[str], bool]:
    lines = []
    for name, text in HOSTILE.items():
        started = time.perf_counter()
        try:
            outcome = f"{len(notice.propose(notice.from_text(text), catalog))} 个数值"
        except notice.NoticeRefused as refused:
            outcome = str(refused)
        lines.append(f"  恶意文本“{name}”（{len(text):,} 字）：{time.perf_counter() - started:.1f} 秒，{outcome}")
    return ["恶意文本（不设目标，只记录用时）："] + lines, True


def main(argv: list[str]) -> int:
    catalog = notice.seed_catalog()
    ok = True
    paths = [argument for argument in argv if argument != "--hostile"]
    parts = [corpus_scores(catalog)]
    if paths:
        parts.append(seed_score(Path(paths[0]), catalog))
    parts.append(ten_pages(catalog))
    if "--hostile" in argv:
        parts.append(hostile(catalog))
    for lines, passed in parts:
        print("\n".join(lines))
        ok = ok and passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
