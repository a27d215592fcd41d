"""Measured demo generation: each DEMO_STEPS step with its time, rows and peak memory, then
the limit: the same rows inserted raw (one executemany per chunk into scratch tables with
the same columns but no indexes or constraints), timed on the same database."""

from __future__ import annotations

import time
from datetime import date, datetime
from datetime import time as time_
from decimal import Decimal

from django.apps import apps
from django.db import connection, transaction

from bench.memory import peak_mb, reset_peak
from dangjian.demo.context import DEMO_STEPS, DemoContext, start_for
from dangjian.demo.steps import steps as demo_steps

CHUNK = 20_000


def tables() -> list[str]:
    """Every table of every installed model that has an integer `id` column."""
    names = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        pk = model._meta.pk
        if pk.column == "id" and pk.get_internal_type() in ("AutoField", "BigAutoField"):
            names.append(model._meta.db_table)
    return sorted(set(names))


def count_rows(names: list[str]) -> dict[str, int]:
    out = {}
    with connection.cursor() as c:
        for t in names:
            c.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(t)}")
            out[t] = c.fetchone()[0]
    return out


def generate(scale: str, *, say, password: str = "Dangjian@2023", today: date | None = None) -> dict:
    """Run every demo step (as load_demo does) and measure each. Returns the figures."""
    names = tables()
    ctx = DemoContext(scale=scale, password=password, progress=lambda s: say(f"    {s}"))
    if today:
        ctx.today = today
    ctx.start = start_for(scale, ctx.today)
    steps, before = [], count_rows(names)
    with transaction.atomic():
        for step, load in demo_steps(DEMO_STEPS):
            say(f"  生成：{step} …")
            reset_peak()
            counter = _QueryCounter()
            t0 = time.perf_counter()
            with connection.execute_wrapper(counter):
                load(ctx)
            seconds = time.perf_counter() - t0
            after = count_rows(names)
            added = {t: after[t] - before[t] for t in names if after[t] != before[t]}
            before = after
            steps.append({"step": step, "seconds": seconds, "rows": sum(added.values()), "added": added,
                          "peak_mb": peak_mb(), "queries": counter.n})  # fmt: skip
            say(
                f"  生成：{step} {seconds:.1f} 秒，{sum(added.values()):,} 行，{counter.n:,} 次查询，峰值内存 {peak_mb():.0f} MB"
            )
    from dangjian.demo.logins import save_demo_logins

    save_demo_logins(ctx.logins)
    return {"start": ctx.start.isoformat(), "today": ctx.today.isoformat(), "steps": steps, "ctx": ctx}


class _QueryCounter:
    """Counts statements (a bulk_create batch is one); many more than rows/batch means a
    per-row query somewhere in the step."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def raw_insert_limit(tables_rows: dict[str, int], *, say) -> dict[str, float]:
    """Seconds to insert every row of each table again with plain executemany into a scratch
    copy (CREATE TABLE … AS SELECT … WHERE 1=0: same columns, no indexes, no constraints).
    Reading is not timed; only the inserts are. The scratch tables are dropped afterwards."""
    qn = connection.ops.quote_name
    out: dict[str, float] = {}
    for t, n in sorted(tables_rows.items(), key=lambda kv: -kv[1]):
        if n <= 0:
            continue
        scratch = f"bench_raw_{t}"[:60]
        spent = 0.0
        with transaction.atomic(), connection.cursor() as c:
            c.execute(f"DROP TABLE IF EXISTS {qn(scratch)}")
            c.execute(f"CREATE TABLE {qn(scratch)} AS SELECT * FROM {qn(t)} WHERE 1=0")
            c.execute(f"SELECT * FROM {qn(t)} WHERE 1=0")
            ncols = len(c.description)
            marks = ", ".join(["%s"] * ncols)
            insert = f"INSERT INTO {qn(scratch)} VALUES ({marks})"
            last = None
            while True:
                if last is None:
                    c.execute(f"SELECT * FROM {qn(t)} ORDER BY id LIMIT {CHUNK}")
                else:
                    c.execute(f"SELECT * FROM {qn(t)} WHERE id > %s ORDER BY id LIMIT {CHUNK}", [last])
                rows = c.fetchall()
                if not rows:
                    break
                id_at = [d[0] for d in c.description].index("id")
                last = rows[-1][id_at]
                rows = _adapt(rows)
                t0 = time.perf_counter()
                c.executemany(insert, rows)
                spent += time.perf_counter() - t0
            c.execute(f"DROP TABLE {qn(scratch)}")
        out[t] = spent
        if n >= 50_000:
            say(f"  原始插入 {t}：{n:,} 行 {spent:.1f} 秒")
    return out


def step_limits(steps: list[dict], raw_seconds: dict[str, float], table_rows: dict[str, int]) -> None:
    """Attribute raw insert time to each step by the rows it added to each table."""
    for s in steps:
        limit = 0.0
        for t, n in s["added"].items():
            if n > 0 and table_rows.get(t):
                limit += raw_seconds.get(t, 0.0) * n / table_rows[t]
        s["raw_seconds"] = limit


def _adapt(rows: list) -> list:
    """Back to what the driver accepts: SQLite's Django connection parses dates and times on
    the way out (declared types), so they go back as text; PostgreSQL hands JSON columns
    back as dicts/lists, which are wrapped to insert them again. Not timed."""
    if not rows:
        return rows
    if connection.vendor == "sqlite":
        kinds = (date, time_, datetime, Decimal)
        cols = [i for i in range(len(rows[0])) if any(isinstance(r[i], kinds) for r in rows[:200])]
        if not cols:
            return rows
        out = []
        for r in rows:
            r = list(r)
            for i in cols:
                if isinstance(r[i], kinds):
                    r[i] = str(r[i])
            out.append(r)
        return out
    if connection.vendor != "postgresql":
        return rows
    json_cols = [i for i, v in enumerate(rows[0]) if isinstance(v, dict | list)]
    if not json_cols:
        json_cols = [i for i in range(len(rows[0])) if any(isinstance(r[i], dict | list) for r in rows[:200])]
    if not json_cols:
        return rows
    from psycopg.types.json import Jsonb

    out = []
    for r in rows:
        r = list(r)
        for i in json_cols:
            if isinstance(r[i], dict | list):
                r[i] = Jsonb(r[i])
        out.append(r)
    return out
