"""Markdown for docs/PERFORMANCE.md: one table per run, in a section marked by comments so a
later run of the same database and scale replaces it and other sections stay untouched."""

from __future__ import annotations

import re
from pathlib import Path

SCALE_LABELS = {"tiny": "微型（测试用）", "township": "乡镇", "county": "县（区）", "city": "市"}


def _n(v, unit="") -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        s = f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"
    else:
        s = f"{v:,}"
    return f"{s} {unit}".strip()


def section_key(result: dict) -> str:
    vendor = "postgresql" if result["database"].startswith("PostgreSQL") else "sqlite"
    return f"bench:{vendor}-{result['scale']}"


def render(result: dict) -> str:
    m = result["machine"]
    rows = result.get("rows", {})
    lines = [
        f"### {result['database'].split()[0]} · {SCALE_LABELS.get(result['scale'], result['scale'])}规模 · "
        f"{result['date']}",
        "",
        f"- Machine: {m['cpus']} CPU ({m['cpu']}), {m['memory_mb']:,} MB RAM, Python {m['python']}, "
        f"{result['database']}; load average at start {m['load']:.1f} (machine shared with other work)",
        f"- Data: {rows.get('members', 0):,} members, {rows.get('branches', 0):,} branches, "
        f"{rows.get('meetings', 0):,} meetings, {rows.get('attendance', 0):,} attendance rows, "
        f"{rows.get('all', 0):,} rows in all; database {result.get('db_mb', 0):,.0f} MB; year {result.get('year')}",
        f"- Whole run: {result.get('seconds', 0):,.0f} s" + (" (smoke)" if result.get("smoke") else ""),
        "",
        "| Figure 指标 | Value 数值 | Limit 极限（同次测得） | Ratio 比值 | Target 目标 |",
        "|---|---:|---:|---:|---|",
    ]
    for f in result["figures"]:
        limit = f"{_n(f['limit'], f['unit'])}（{f['limit_name']}）" if f["limit"] is not None else "—"
        ratio = f"{f['ratio']:.2f}×" if f["ratio"] is not None else "—"
        target = ""
        if f["target_text"]:
            target = f"{f['target_text']}：{'✔' if f['ok'] else '✘'}"
        note = f"（{f['note']}）" if f.get("note") else ""
        lines.append(f"| {f['name']}{note} | {_n(f['value'], f['unit'])} | {limit} | {ratio} | {target} |")
    return "\n".join(lines) + "\n"


def update_doc(path: Path, result: dict) -> None:
    key = section_key(result)
    block = f"<!-- {key} -->\n{render(result)}<!-- /{key} -->\n"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance 性能\n\n"
    pattern = re.compile(rf"<!-- {re.escape(key)} -->.*?<!-- /{re.escape(key)} -->\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    else:
        anchor = "<!-- bench:end -->"
        text = text.replace(anchor, block + "\n" + anchor) if anchor in text else text.rstrip() + "\n\n" + block
    path.write_text(text, encoding="utf-8")
