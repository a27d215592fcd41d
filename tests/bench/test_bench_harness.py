"""The benchmark harness at tiny scale: every figure present with its limit, the compliance
numbers of the app equal to the hand-written SQL, no HTTP errors; and the Markdown output."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.markdown import render, update_doc
from bench.timing import percentile

ROOT = Path(__file__).resolve().parents[2]


def test_bench_smoke_at_tiny_scale_prints_every_figure_with_its_limit(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["DANGJIAN_VAR"] = str(tmp_path / "var")
    env["DANGJIAN_DEVTOOLS"] = "1"  # bench is a development command (dangjian/devtools)
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "manage.py", "bench", "--scale", "tiny", "--smoke", "--json", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    result = json.loads(out.read_text())
    names = " ".join(f["name"] for f in result["figures"])
    for part in ("生成合计", "落实率计算", "页面 首页", "党员名册", "支部页面", "热力图", "数据看板", "HTTP 常用页面",
                 "报告 .docx", "诚信信号扫描", "名册导入", "峰值内存", "市级规模外推"):  # fmt: skip
        assert part in names, part
    # The city projection is this run's data scaled to 200 townships, per member.
    city = result["city_projection"]
    assert city["townships"] == 200 and city["factor"] >= 1
    assert city["rows"] == round(result["rows"]["all"] * city["factor"])
    assert city["compliance_seconds"] == pytest.approx(result["compliance"]["summary_seconds"] * city["factor"])
    assert result["compliance"]["equal"] is True
    assert result["compliance"]["app"]["required_periods"] > 0
    assert result["import"]["created"] == 300
    assert result["http"]["pages"]["errors"] == 0 and result["http"]["pages"]["requests"] > 0
    with_limit = [f for f in result["figures"] if f["limit"] is not None]
    assert all(f["ratio"] is not None and f["ratio"] > 0 for f in with_limit)
    assert {p["page"] for p in result["pages"]} and all(p["queries"] > 0 for p in result["pages"])
    # The table is printed on the terminal too.
    assert "| Figure 指标 |" in proc.stdout
    # A second run without --reset refuses to wipe the data.
    again = subprocess.run(
        [sys.executable, "manage.py", "bench", "--scale", "tiny", "--smoke"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert again.returncode != 0 and "--reset" in again.stderr


def _result(db="SQLite 3.40", scale="county", value=10.0):
    return {
        "machine": {"cpus": 2, "cpu": "x", "memory_mb": 1000, "python": "3.11", "load": 1.0},
        "database": db, "scale": scale, "date": "2026-11-29", "rows": {"members": 5}, "db_mb": 1.0, "year": 2026,
        "seconds": 1.0,
        "figures": [{"name": "落实率计算", "value": value, "unit": "ms", "limit": 5.0, "limit_name": "SQL",
                     "ratio": value / 5.0, "target_text": "≤ 1.5×", "ok": False, "note": ""}],
    }  # fmt: skip


def test_markdown_sections_are_replaced_per_database_and_scale_and_others_kept(tmp_path):
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text("# Performance\n\n<!-- bench:end -->\n\n## Load test (issue 3)\nkept\n", encoding="utf-8")
    update_doc(doc, _result(value=10.0))
    update_doc(doc, _result(db="PostgreSQL 16", value=7.0))
    update_doc(doc, _result(value=6.0))  # same database and scale: replaces its section
    text = doc.read_text(encoding="utf-8")
    assert text.count("<!-- bench:sqlite-county -->") == 1
    assert "6.00 ms" in text and "10.0 ms" not in text
    assert "7.00 ms" in text and "1.40×" in text
    assert text.index("bench:sqlite-county") < text.index("## Load test") and "kept" in text
    assert "| 落实率计算 | 6.00 ms | 5.00 ms（SQL） | 1.20× | ≤ 1.5×：✘ |" in render(_result(value=6.0))


def test_percentile_is_nearest_rank():
    xs = [float(i) for i in range(1, 101)]
    assert percentile(xs, 50) == 50.0
    assert percentile(xs, 95) == 95.0
    assert percentile([3.0], 95) == 3.0
