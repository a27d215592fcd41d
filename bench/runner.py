"""The whole benchmark: run every step, print each figure beside its limit, write JSON and
Markdown. Called by `manage.py bench` (dangjian/devtools/management/commands/bench.py)."""

from __future__ import annotations

import contextlib
import os
import platform
import socket
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench.memory import peak_mb, reset_peak

# Targets of issue 10 item 3 (on a 2-core machine).
TARGET_COMPLIANCE_RATIO = 1.5
TARGET_IMPORT_RATIO = 3.0
TARGET_PAGE_P95_MS = 250.0
TARGET_WARM_P95_MS = 50.0  # heatmap and dashboard, warm (issue 16 item 5)
TARGET_COLD_P95_MS = 250.0  # the same two pages cold
TARGET_REPORT_SECONDS = 10.0
TARGET_PEAK_MB = 1024.0
# Issue 16.
TARGET_AUDIT_EXPORT_SECONDS = 3.0
TARGET_ROSTER_EXPORT_SECONDS = 1.0
TARGET_WRITE_BESIDE_MS = 500.0
RECOMMENDED_WORKERS = 4
RECOMMENDED_THREADS = 4
HTTP_MANY_CLIENTS = 100
CITY_TOWNSHIPS = 200  # demo.context.SCALES["city"]


@dataclass
class Options:
    scale: str = "township"
    smoke: bool = False
    reuse: bool = False
    roster_rows: int | None = None
    page_repeats: int | None = None
    http_seconds: float | None = None
    http_clients: int = 20
    skip: set[str] = field(default_factory=set)

    @property
    def rows(self) -> int:
        if self.roster_rows:
            return self.roster_rows
        return 300 if self.smoke else 30_000

    @property
    def repeats(self) -> int:
        return self.page_repeats or (3 if self.smoke else 20)

    @property
    def load_seconds(self) -> float:
        return self.http_seconds or (3.0 if self.smoke else 15.0)


class Bench:
    def __init__(self, opts: Options, say, json_path: Path | None = None):
        self.opts = opts
        self.json_path = json_path
        self.say = say
        self.figures: list[dict] = []
        self.errors: list[dict] = []
        self.memory: dict[str, float] = {}
        self.result: dict = {}
        self.started = time.monotonic()

    # ------------------------------------------------------------------ helpers
    def figure(self, name, value, unit, limit=None, *, limit_name="", target=None, target_text="", ok=None, note=""):
        ratio = (value / limit) if (limit not in (None, 0) and value is not None) else None
        self.figures.append(
            {
                "name": name,
                "value": value,
                "unit": unit,
                "limit": limit,
                "limit_name": limit_name,
                "ratio": ratio,
                "target": target,
                "target_text": target_text,
                "ok": ok,
                "note": note,
            }  # fmt: skip
        )
        shown = f"{name}：{_num(value)} {unit}"
        if limit is not None:
            shown += f"；极限（{limit_name}）{_num(limit)} {unit}；比值 {ratio:.2f}" if ratio else ""
        if target_text:
            shown += f"；目标 {target_text}：{'达到' if ok else '未达到'}"
        self.say(shown)
        self.save_partial()

    def step(self, name: str):
        bench = self

        class _Step:
            def __enter__(self):
                bench.say(f"[{time.monotonic() - bench.started:6.0f} s] {name}")
                reset_peak()
                return self

            def __exit__(self, *exc):
                bench.memory[name] = max(bench.memory.get(name, 0.0), peak_mb())
                bench.save_partial()

        return _Step()

    def save_partial(self) -> None:
        """Write what is measured so far, so a long run that is stopped keeps its figures."""
        if not self.json_path:
            return
        import json

        partial = dict(self.result, figures=self.figures, memory_mb=self.memory, partial=True)
        partial.get("generation", {}).pop("ctx", None)
        self.json_path.parent.mkdir(parents=True, exist_ok=True)
        self.json_path.write_text(json.dumps(partial, ensure_ascii=False, indent=2, default=str), encoding="utf-8")

    # ------------------------------------------------------------------ run
    def run(self) -> dict:
        from dangjian.orgs.models import Organization

        opts = self.opts
        self.result = {
            "machine": machine(),
            "date": timezone.localdate().isoformat(),
            "database": database(),
            "scale": opts.scale,
            "smoke": opts.smoke,
        }
        if "generate" not in opts.skip and not opts.reuse:
            with self.step("生成演示数据"):
                self._generate()
        if connection.vendor == "postgresql":
            # After a bulk load the planner has no statistics until autovacuum gets to the
            # tables; a real installation would have them, so gather them now.
            with self.step("ANALYZE"), connection.cursor() as c:
                c.execute("ANALYZE")
        root = Organization.objects.get_root_nodes().order_by("path").first()
        year = timezone.localdate().year
        self.result["year"] = year
        self.result["rows"] = total_rows()
        self.result["db_mb"] = db_size_mb()
        self.say(f"数据：{self.result['rows']['members']:,} 名党员，{self.result['rows']['attendance']:,} 条出勤记录，"
                 f"共 {self.result['rows']['all']:,} 行，数据库 {self.result['db_mb']:.0f} MB")  # fmt: skip
        for key, fn in (
            ("compliance", lambda: self._compliance(root, year)),
            ("pages", lambda: self._pages(root, year)),
            ("writes", lambda: self._writes(root)),
            ("exports", lambda: self._exports(root)),
            ("http", lambda: self._http(root, year)),
            ("report", lambda: self._report(root, year)),
            ("integrity", lambda: self._integrity(root, year)),
            ("import", self._import),
        ):
            if key not in opts.skip:
                try:
                    fn()
                except Exception as exc:  # one failing step must not hide the other figures
                    import traceback

                    where = traceback.extract_tb(exc.__traceback__)[-1]
                    message = f"{type(exc).__name__}: {exc}"[:300]
                    self.errors.append({"step": key, "error": message, "at": f"{where.filename}:{where.lineno}"})
                    self.say(f"  !! {key} 失败：{message}（{where.filename}:{where.lineno}）")
                    self.figure(f"{key}：失败（{message[:120]}）", None, "", ok=False, target_text="运行无错误")
        if "projection" not in self.opts.skip:
            self._projection()
        for name, mb in self.memory.items():
            self.figure(f"峰值内存：{name}", mb, "MB", target=TARGET_PEAK_MB, target_text="< 1 GB（县级规模每步）",
                        ok=mb < TARGET_PEAK_MB)  # fmt: skip
        self.result["figures"] = self.figures
        self.result["errors"] = self.errors
        self.result["memory_mb"] = self.memory
        self.result["seconds"] = round(time.monotonic() - self.started, 1)
        return self.result

    def _generate(self):
        from bench import generate as g

        gen = g.generate(self.opts.scale, say=self.say)
        table_rows = g.count_rows(g.tables())
        self.say("  极限：同样的行用 executemany 原样插入临时表 …")
        raw = g.raw_insert_limit(table_rows, say=self.say)
        g.step_limits(gen["steps"], raw, table_rows)
        rows = sum(s["rows"] for s in gen["steps"])
        seconds = sum(s["seconds"] for s in gen["steps"])
        raw_seconds = sum(s["raw_seconds"] for s in gen["steps"])
        for s in gen["steps"]:
            s.pop("added")
            self.memory[f"生成：{_label(s['step'])}"] = s["peak_mb"]
        self.result["generation"] = {"start": gen["start"], "steps": gen["steps"], "rows": rows, "seconds": seconds,
                                     "raw_seconds": raw_seconds}  # fmt: skip
        for s in gen["steps"]:
            if s["rows"]:
                self.figure(f"生成 {_label(s['step'])}（{s['rows']:,} 行，{s['seconds']:.1f} 秒）",
                            s["rows"] / s["seconds"], "行/秒", s["rows"] / s["raw_seconds"] if s["raw_seconds"] else None,
                            limit_name="原始 executemany")  # fmt: skip
        self.figure(f"生成合计（{rows:,} 行，{seconds:.1f} 秒）", rows / seconds, "行/秒",
                    rows / raw_seconds if raw_seconds else None, limit_name="原始 executemany")  # fmt: skip

    def _compliance(self, root, year):
        from bench.compliance import app_numbers, sql_compliance
        from bench.timing import best_of
        from dangjian.meetings.selectors import compliance_rows, compliance_summary

        runs = 2 if self.opts.smoke else 3
        today = timezone.localdate()
        with self.step("落实情况（全范围、全年）"):
            t_app, summary = best_of(lambda: compliance_summary(root, year, today=today), runs)
            t_rows, _ = best_of(lambda: compliance_rows(root, year, today=today), runs)
            t_sql, raw = best_of(lambda: sql_compliance(root, year, today), runs)
        mine = app_numbers(summary)
        theirs = {k: raw[k] for k in ("required_periods", "held_periods", "meetings", "by_kind")}
        equal = mine == theirs
        self.result["compliance"] = {"app": mine, "sql": theirs, "equal": equal, "rate": summary.rate,
                                     "summary_seconds": t_app, "sql_seconds": t_sql}  # fmt: skip
        if not equal:
            self.say(f"  !! 数字不一致：应用 {mine}，SQL {theirs}")
        ok = equal and t_rows / t_sql <= TARGET_COMPLIANCE_RATIO
        self.figure("落实率计算 compliance_rows（同样的数字）", t_rows * 1000, "ms", t_sql * 1000,
                    limit_name="一条手写 SQL", target=TARGET_COMPLIANCE_RATIO, target_text="≤ 1.5×，且数字相等",
                    ok=ok, note="数字相等" if equal else "数字不相等")  # fmt: skip
        self.figure("落实情况汇总 compliance_summary（另含党章第九条预警、热力图）", t_app * 1000, "ms", t_sql * 1000,
                    limit_name="一条手写 SQL", note="数字相等" if equal else "数字不相等")  # fmt: skip

    def _pages(self, root, year):
        from bench.pages import COLD_PAGES, bench_user, measure_cold, measure_pages, page_urls

        with self.step("常用页面（测试客户端）"):
            user = bench_user()
            pages = measure_pages(user, page_urls(root, year), repeats=self.opts.repeats, say=self.say)
        self.result["pages"] = pages
        for p in pages:
            target = TARGET_WARM_P95_MS if p["page"] in COLD_PAGES else TARGET_PAGE_P95_MS
            self.figure(f"页面 {p['page']} p95（{p['queries']} 次查询，p50 {p['p50_ms']:.0f} ms）", p["p95_ms"], "ms",
                        target=target, target_text=f"p95 ≤ {target:.0f} ms", ok=p["p95_ms"] <= target)  # fmt: skip
        cold_urls = [(label, u) for label, u in page_urls(root, year) if label in COLD_PAGES]
        cold = []
        with self.step("常用页面（冷）"):
            for mode in ("write", "empty"):
                cold += measure_cold(user, root, cold_urls, mode=mode, repeats=self.opts.repeats, say=self.say)
        self.result["pages_cold"] = cold
        for p in cold:
            how = "一个乡镇写入后" if p["mode"] == "write" else "缓存清空"
            self.figure(f"页面 {p['page']}（冷：{how}）p95（{p['queries']} 次查询，p50 {p['p50_ms']:.0f} ms，"
                        f"{p['requests']} 次）", p["p95_ms"], "ms", target=TARGET_COLD_P95_MS,
                        target_text="p95 ≤ 250 ms", ok=p["p95_ms"] <= TARGET_COLD_P95_MS)  # fmt: skip

    def _http(self, root, year):
        from bench.http_load import Server, run_load, session_cookie
        from bench.pages import bench_user, page_urls

        user = bench_user()
        urls = [u for _, u in page_urls(root, year)]
        n, secs = self.opts.http_clients if not self.opts.smoke else 4, self.opts.load_seconds
        with self.step("HTTP 并发（waitress）"), Server() as server:
            self.say(f"  {n} 个并发客户端访问 /healthz {secs:.0f} 秒 …")
            trivial = run_load(server.port, ["/healthz"], clients=n, seconds=secs)
            self.say(f"  {n} 个并发客户端访问常用页面 {secs:.0f} 秒 …")
            pages = run_load(server.port, urls, clients=n, seconds=secs, cookie=session_cookie(user))
            if pages["errors"] or trivial["errors"]:
                pages["server_log"] = server.log_tail()
        self.result["http"] = {"pages": pages, "healthz": trivial}
        self.figure(f"HTTP 常用页面 p50（{n} 客户端，{pages['requests']} 次，{pages['per_second']:.1f} 次/秒）",
                    pages["p50_ms"], "ms", trivial["p50_ms"], limit_name="/healthz p50")  # fmt: skip
        self.figure(f"HTTP 常用页面 p95（错误 {pages['errors']} 次）", pages["p95_ms"], "ms", trivial["p95_ms"],
                    limit_name="/healthz p95", ok=pages["errors"] == 0 and trivial["errors"] == 0,
                    target_text="无错误")  # fmt: skip
        if connection.vendor != "postgresql":
            return
        # The deployment docs/DEPLOYMENT.md recommends for PostgreSQL: gunicorn processes + Redis.
        from bench.http_load import redis_url

        w, t, cache_url = RECOMMENDED_WORKERS, RECOMMENDED_THREADS, redis_url()
        label = f"gunicorn {w} 进程 × {t} 线程" + ("，Redis 缓存" if cache_url else "，无 Redis")
        self.result["http_recommended"] = {"deployment": label, "runs": []}
        for clients in (n,) if self.opts.smoke else (n, HTTP_MANY_CLIENTS):
            with (
                self.step(f"HTTP 并发（推荐部署：{label}，{clients} 客户端）"),
                Server(threads=t, workers=w, cache_url=cache_url) as server,
            ):
                trivial = run_load(server.port, ["/healthz"], clients=clients, seconds=secs)
                run_load(
                    server.port, urls, clients=clients, seconds=min(secs, 5.0), cookie=session_cookie(user)
                )  # warm the cache
                pages = run_load(server.port, urls, clients=clients, seconds=secs, cookie=session_cookie(user))
                if pages["errors"] or trivial["errors"]:
                    pages["server_log"] = server.log_tail()
            self.result["http_recommended"]["runs"].append({"clients": clients, "pages": pages, "healthz": trivial})
            self.figure(f"HTTP 推荐部署（{label}）常用页面 p50（{clients} 客户端，{pages['requests']} 次，"
                        f"{pages['per_second']:.1f} 次/秒）", pages["p50_ms"], "ms", trivial["p50_ms"],
                        limit_name="/healthz p50")  # fmt: skip
            self.figure(f"HTTP 推荐部署 常用页面 p95（{clients} 客户端，错误 {pages['errors']} 次）", pages["p95_ms"],
                        "ms", trivial["p95_ms"], limit_name="/healthz p95",
                        ok=pages["errors"] == 0 and trivial["errors"] == 0, target_text="无错误")  # fmt: skip

    def _projection(self):
        """A city (200 townships) from this run's measured figures, linearly per member: the rows
        and the database grow with the members (≈ 64 rows per member per year), and so do the
        whole-scope computations measured here (the compliance summary, the report, the scan).
        A projection, not a measurement: pages cached or capped per request do not grow like this."""
        from dangjian.orgs.models import Organization, OrgType

        townships = Organization.objects.filter(org_type=OrgType.COMMITTEE).count()
        if not townships or self.opts.scale == "city":
            return
        factor = CITY_TOWNSHIPS / townships
        rows, members = self.result["rows"]["all"], self.result["rows"]["members"]
        city = {"townships": CITY_TOWNSHIPS, "factor": factor, "members": round(members * factor),
                "rows": round(rows * factor), "db_mb": round(self.result["db_mb"] * factor)}  # fmt: skip
        basis = f"本次 {townships} 个乡镇、{members:,} 名党员 × {factor:.0f}"
        self.figure(f"市级规模外推：党员（{basis}）", city["members"], "人")
        self.figure(f"市级规模外推：数据行（每名党员 {rows / max(members, 1):.0f} 行/年）", city["rows"], "行")
        self.figure("市级规模外推：数据库大小（一年）", city["db_mb"], "MB")
        for key, label, value, unit in (
            ("compliance", "全范围落实情况汇总", (self.result.get("compliance") or {}).get("summary_seconds"), "秒"),
            ("report", "报告 .docx", (self.result.get("report") or {}).get("seconds"), "秒"),
            ("integrity", "诚信信号扫描", (self.result.get("integrity") or {}).get("seconds"), "秒"),
        ):
            if value is not None:
                city[key + "_seconds"] = value * factor
                self.figure(f"市级规模外推：{label}（按党员数线性）", value * factor, unit, value,
                            limit_name="本次测得")  # fmt: skip
        self.result["city_projection"] = city

    def _writes(self, root):
        from bench.writes import measure

        with self.step("写入与另一个未提交事务并行"):
            w = measure(root, repeats=3 if self.opts.smoke else 5, hold=1.0 if self.opts.smoke else 3.0)
        self.result["writes"] = w
        if w["beside_ms"] is None:
            self.figure(f"写入（单独，{w['note']}）", w["alone_ms"], "ms")
            return
        ok = w["beside_ms"] < TARGET_WRITE_BESIDE_MS and not w["errors"]
        self.figure(f"{w['where']}有未提交的写事务时，党员修改提交（{w['writes']} 次中最慢）", w["beside_ms"], "ms",
                    w["alone_ms"], limit_name="没有其他事务时", target=TARGET_WRITE_BESIDE_MS,
                    target_text="不等待（< 500 ms）", ok=ok,
                    note=f"{w['where']}的缓存未失效" if w["other_scope_kept"] else f"{w['where']}的缓存也失效了")  # fmt: skip

    def _exports(self, root):
        from bench.exports import measure
        from bench.pages import bench_user

        with self.step("导出（审计日志、乡镇党员名册）"):
            e = measure(root, bench_user(), repeats=1 if self.opts.smoke else 3)
        self.result["exports"] = e
        a, r, rf = e["audit"], e["roster"], e["roster_full"]
        self.figure(f"审计日志导出（{a['rows']:,} 条，{a['bytes'] // 1024} KB）", a["seconds"], "秒", a["floor_seconds"],
                    limit_name=f"同样的单元格直接写入（xlsxwriter 常量内存模式；openpyxl 只写模式 {a['openpyxl_seconds']:.2f} 秒）",
                    target=TARGET_AUDIT_EXPORT_SECONDS * max(1.0, a["rows"] / 21000),
                    target_text="≤ 3 秒 / 21,000 条", ok=a["seconds"] <= TARGET_AUDIT_EXPORT_SECONDS * max(1.0, a["rows"] / 21000))  # fmt: skip
        for label, x in (("脱敏", r), ("含完整身份证号，逐条解密", rf)):
            self.figure(f"乡镇党员名册导出（{e['township']}，{x['rows']:,} 人，{label}）", x["seconds"], "秒",
                        x["floor_seconds"],
                        limit_name=f"同样的单元格直接写入（xlsxwriter 常量内存模式；openpyxl 只写模式 {x['openpyxl_seconds']:.2f} 秒）",
                        target=TARGET_ROSTER_EXPORT_SECONDS, target_text="≤ 1 秒",
                        ok=x["seconds"] <= TARGET_ROSTER_EXPORT_SECONDS)  # fmt: skip

    def _report(self, root, year):
        from django.core.management import call_command

        with self.step("县级报告（.docx）"), tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "report.docx"
            t0 = time.perf_counter()
            call_command("report", year=year, org=root.name, out=str(out), stdout=_Null())
            seconds = time.perf_counter() - t0
            size = out.stat().st_size
        self.result["report"] = {"seconds": seconds, "bytes": size, "org": root.name}
        self.figure(f"报告 .docx（{root.name}，{size // 1024} KB）", seconds, "秒", target=TARGET_REPORT_SECONDS,
                    target_text="< 10 秒", ok=seconds < TARGET_REPORT_SECONDS)  # fmt: skip

    def _integrity(self, root, year):
        from bench import integrity as ig

        county = self.opts.scale in ("county", "city")
        # In its own process, as the worker runs it: this process still holds what the earlier
        # steps left (its peak measured 835 MB at county scale where the scan alone took 505).
        self.say(f"[{time.monotonic() - self.started:6.0f} s] 诚信信号扫描（全部检测，回滚；独立子进程）")
        scan = ig.scan_in_child(root, year)
        floor, peak, baseline = scan.pop("raw_read_seconds"), scan.pop("peak_mb"), scan.pop("baseline_mb")
        self.memory["诚信信号扫描（全部检测，回滚；独立子进程 VmHWM）"] = peak
        slowest = "，".join(f"{k} {v:.1f} 秒" for k, v in sorted(scan["detectors"].items(), key=lambda x: -x[1])[:3])
        self.figure(f"诚信信号扫描（{scan['found']} 条信号；最慢：{slowest}）", scan["seconds"], "秒", floor,
                    limit_name="原始游标读出同样的会议、谈话和出勤行", target=ig.TARGET_SCAN_SECONDS,
                    target_text="≤ 15 秒（县级规模）", ok=scan["seconds"] <= ig.TARGET_SCAN_SECONDS or not county)  # fmt: skip
        self.figure(f"诚信信号扫描 峰值内存（独立子进程的 VmHWM，如后台任务进程：含启动 Django 后的 {baseline:.0f} MB，"
                    f"扫描使其增加 {peak - baseline:.0f} MB）", peak, "MB", target=ig.TARGET_SCAN_PEAK_MB,
                    target_text="< 500 MB", ok=peak < ig.TARGET_SCAN_PEAK_MB)  # fmt: skip
        n = 2_000 if self.opts.smoke else 100_000
        self.say(f"  生成 {n:,} 份合成文字记录（基准自身的准备，不计时）…")
        docs, planted = ig.corpus(n)
        with self.step(f"文字雷同扫描（{n:,} 份合成记录）"):
            text = ig.text_throughput(docs, planted, minhash_sample=2_000 if self.opts.smoke else 20_000)
        del docs
        self.result["integrity"] = {**scan, "raw_read_seconds": floor, "peak_mb": peak, "baseline_mb": baseline,
                                    "text": text}  # fmt: skip
        rate = text["texts"] / text["scan_seconds"]
        self.figure(f"文字雷同扫描 find_near_duplicates（{text['texts']:,} 份，{text['pairs']} 对雷同，植入的抄袭找到 "
                    f"{text['planted_found']}/{text['planted']}，"
                    f"{text['scan_seconds']:.1f} 秒）", rate, "份/秒", text["texts"] / text["floor_seconds"],
                    limit_name="同样的文字只做一种读法的分片 + MinHash", target=ig.TARGET_TEXTS_PER_SECOND,
                    target_text="≥ 2,000 份/秒", ok=rate >= ig.TARGET_TEXTS_PER_SECOND)  # fmt: skip
        per = text["minhash_per_second"]
        fastest = max(per.values())
        for name, value in per.items():
            self.figure(f"MinHash：{name}（{text['minhash_texts']:,} 份的同一批分片）", value, "份/秒", fastest,
                        limit_name="同次最快的实现")  # fmt: skip

    def _import(self):
        from bench.roster import app_import, raw_import, roster_file

        n = self.opts.rows
        self.say(f"  生成 {n:,} 行名册文件（基准自身的准备，不计时、不计内存）…")
        content = roster_file(n)
        import gc

        gc.collect()
        # Alternated, best of each (twice at full size): a burst of other work on a shared
        # machine then lands on both sides alike instead of skewing the ratio.
        t_app = t_raw = float("inf")
        for _ in range(1 if self.opts.smoke else 2):
            with self.step(f"名册导入 {n:,} 行"):
                self.say("  导入（校验、写入、审计，最后回滚）…")
                seconds, created = app_import(content)
                t_app = min(t_app, seconds)
            with self.step("名册导入的极限（calamine + executemany）"):
                seconds, n_raw = raw_import(content)
                t_raw = min(t_raw, seconds)
        if connection.vendor == "postgresql":
            # The rolled-back imports left 30,000 dead rows per run in the tables they wrote: the
            # next run (--reuse) would scan a members table many times its size (a real import
            # commits; autovacuum is not this quick). Compact them again.
            with connection.cursor() as c:
                for table in ("members_member", "members_memberevent", "auditlog_logentry"):
                    c.execute(f"VACUUM FULL ANALYZE {table}")
        self.result["import"] = {"rows": n, "created": created, "seconds": t_app, "raw_seconds": t_raw,
                                 "bytes": len(content)}  # fmt: skip
        self.figure(f"名册导入 {created:,} 人", t_app, "秒", t_raw, limit_name="calamine + executemany",
                    target=TARGET_IMPORT_RATIO, target_text="≤ 3×", ok=created == n and t_app / t_raw <= 3)  # fmt: skip


class _Null:
    def write(self, *_):
        pass

    def flush(self):
        pass


def _num(v) -> str:
    if v is None:
        return "—"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    return {"host": socket.gethostname(), "cpus": os.cpu_count(), "cpu": cpu or platform.processor(),
            "memory_mb": mem, "python": platform.python_version(), "load": os.getloadavg()[0]}  # fmt: skip


def database() -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as c:
        c.execute("SHOW server_version")
        return f"PostgreSQL {c.fetchone()[0].split()[0]}"


def total_rows() -> dict:
    from bench.generate import count_rows, tables

    counts = count_rows(tables())
    return {"all": sum(counts.values()), "members": counts.get("members_member", 0),
            "branches": _branches(), "meetings": counts.get("meetings_meeting", 0),
            "attendance": counts.get("meetings_attendance", 0), "by_table": counts}  # fmt: skip


def _branches() -> int:
    from dangjian.orgs.models import BRANCH_TYPES, Organization

    return Organization.objects.filter(org_type__in=BRANCH_TYPES).count()


def db_size_mb() -> float:
    if connection.vendor == "sqlite":
        p = Path(settings.DATABASES["default"]["NAME"])
        return sum(f.stat().st_size for f in p.parent.glob(p.name + "*")) / 1e6
    with connection.cursor() as c:
        c.execute("SELECT pg_database_size(current_database())")
        return c.fetchone()[0] / 1e6


def median(xs):
    return statistics.median(xs) if xs else 0.0


def today() -> date:
    return timezone.localdate()


def _label(step: str) -> str:
    """dangjian.meetings.demo → meetings; dangjian.demo.township → demo.township."""
    return step.removeprefix("dangjian.").removesuffix(".demo")
