"""The integrity step (issue 16 item 6): the whole scan on the benchmark's data, rolled back
(it writes signals, and the data may be someone else's), beside the raw read of the rows it
reads; and the near-duplicate text scan on a synthetic corpus, beside the bare shingling and
hashing of the same texts, with every MinHash implementation measured on the same shingles."""

from __future__ import annotations

import gc
import random
import time

import numpy as np

TARGET_SCAN_SECONDS = 15.0  # county scale
TARGET_SCAN_PEAK_MB = 500.0
TARGET_TEXTS_PER_SECOND = 2000.0


class _Rollback(Exception):
    pass


def scan(root, year) -> dict:
    """run_scan(force=True) inside a transaction that is rolled back, with each detector's time."""
    from django.db import transaction

    from dangjian.integrity.services import run_scan

    times: list[tuple[str, float]] = []
    last = [time.perf_counter()]

    def progress(text: str) -> None:
        now = time.perf_counter()
        times.append((text.split(":")[0], now - last[0]))
        last[0] = now

    result: dict = {}
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            run = run_scan(root=root, year=year, force=True, progress=progress)
            result.update(found=run.found, new=run.new)
            raise _Rollback
    except _Rollback:
        pass
    result["seconds"] = time.perf_counter() - t0
    result["detectors"] = {name: round(s, 2) for name, s in times}
    return result


def scan_in_child(root, year) -> dict:
    """`raw_read` and `scan` in a fresh Python process, as the scan runs in production (a
    background task in the worker process, django-tasks), with that process's peak resident
    memory: VmHWM of the whole process (Django and the app loaded, then the scan), and the
    same before the scan. This process's own peak would also count what the earlier steps of
    the benchmark left in it."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root_dir = Path(__file__).resolve().parents[1]
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "dangjian.settings"))
    proc = subprocess.run(
        [sys.executable, "-m", "bench.integrity", str(root.pk), str(year)],
        cwd=root_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"扫描子进程失败：{proc.stderr.strip()[-300:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _child(root_id: int, year: int) -> dict:
    import django

    django.setup()
    from bench.memory import peak_mb
    from dangjian.orgs.models import Organization

    root = Organization.objects.get(pk=root_id)
    baseline = peak_mb()  # Django and the app loaded, as in a worker before its first task
    floor = raw_read(root, year)
    result = scan(root, year)
    return {**result, "raw_read_seconds": floor, "peak_mb": peak_mb(), "baseline_mb": baseline}


def raw_read(root, year) -> float:
    """The floor: the rows the detectors read (the year's meeting texts, talks and attendance
    in the scope), fetched once with a plain cursor and nothing done with them."""
    from django.db import connection

    from dangjian.meetings.models import Attendance, Meeting, Talk

    queries = [
        Meeting.objects.filter(org__path__startswith=root.path, date__year=year).values_list(
            "id", "branch_id", "date", "topic", "place", "minutes", "decisions", "created_at", "updated_at"
        ),
        Talk.objects.filter(branch__path__startswith=root.path, date__year=year).values_list(
            "id", "branch_id", "date", "summary", "updated_at"
        ),
        Attendance.objects.filter(meeting__org__path__startswith=root.path, meeting__date__year=year).values_list(
            "meeting_id", "meeting__branch_id", "member_id", "status", "signed_in_at", "signin_device"
        ),
    ]
    t0 = time.perf_counter()
    with connection.cursor() as c:
        for qs in queries:
            sql, params = qs.query.sql_with_params()
            c.execute(sql, params)
            while c.fetchmany(10_000):
                pass
    return time.perf_counter() - t0


# --- the synthetic corpus ---------------------------------------------------------------------
_MATTERS = ["道路硬化", "樱桃销售", "油橄榄采摘", "低保评议", "环境整治", "防汛", "疫苗接种", "矛盾调解", "老年人照护",
            "自来水管改造", "垃圾清运", "留守儿童看护", "花椒病虫害防治", "宅基地纠纷", "停车管理"]  # fmt: skip


def corpus(n: int, *, seed: int = 16) -> tuple[list, set]:
    """`n` minutes-like texts of ~300 characters in 1/10 as many branches: the template of
    `integrity.evaluation` (shared openings, documents studied, closings; each branch's own
    people, places and matters), from pools drawn once so 100,000 texts take seconds; one
    text in 20 a lightly edited copy of another (the planted pairs, returned with the texts)."""
    from faker import Faker

    from dangjian.integrity.evaluation import CLOSINGS, DOCUMENTS, OPENINGS, _light_edit
    from dangjian.integrity.textsim import Doc

    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    names = [fake.name() for _ in range(3000)]
    streets = [fake.street_name() for _ in range(1000)]
    words = [fake.word() for _ in range(5000)]  # sentences drawn from words: each one its own
    branches = max(1, n // 10)
    docs = []
    planted = set()
    for i in range(n):
        b = rng.randrange(branches)
        if docs and rng.random() < 0.05:
            src = docs[rng.randrange(len(docs))]
            docs.append(Doc(f"copy:{i}", f"branch{b}", _light_edit(src.text, fake, rng)))
            planted.add(tuple(sorted((src.key, f"copy:{i}"))))
            continue
        parts = [
            rng.choice(OPENINGS).format(n=rng.randint(15, 50), m=rng.randint(10, 45)),
            rng.choice(DOCUMENTS) + "。",
        ]
        for _ in range(rng.randint(4, 7)):
            parts.append(
                f"{rng.choice(names)}{rng.choice(['提出', '汇报了', '建议', '谈到'])}第{b}社区{rng.choice(streets)}"
                f"{rng.choice(_MATTERS)}的情况，{''.join(rng.choices(words, k=rng.randint(6, 10)))}。"
            )
        parts.append(rng.choice(CLOSINGS))
        docs.append(Doc(f"m:{i}", f"branch{b}", "".join(parts)))
    return docs, planted


def text_throughput(docs: list, planted: set, *, minhash_sample: int) -> dict:
    """texts/s of find_near_duplicates on `docs`, of its bare shingling + hashing, and of each
    MinHash implementation on the same shingle sets (the first `minhash_sample` texts)."""
    from dangjian.integrity import textsim

    gc.collect()
    t0 = time.perf_counter()
    pairs = textsim.find_near_duplicates(docs)
    scan_seconds = time.perf_counter() - t0
    found = {(p.a, p.b) for p in pairs}

    # The floor: the same texts shingled (one reading) and MinHashed, nothing else.
    t0 = time.perf_counter()
    doc, values = textsim.shingle_columns([textsim.canonical(d.text) for d in docs])  # as the scan holds them
    bounds = textsim._bounds(doc, len(docs))
    del doc
    nonempty = np.diff(bounds) > 0
    textsim.minhash_matrix(values, np.concatenate([[0], np.cumsum(np.diff(bounds)[nonempty])]))
    floor_seconds = time.perf_counter() - t0

    # MinHash alone, the same shingle sets for each implementation.
    m = min(minhash_sample, len(docs))
    values = values[: bounds[m]].copy()  # only the sample's shingles stay
    sets = [values[bounds[i] : bounds[i + 1]] for i in range(m) if bounds[i + 1] > bounds[i]]
    flat = np.concatenate(sets)
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in sets])])
    impl: dict[str, float] = {}

    def timed(name, fn):
        gc.collect()
        t = time.perf_counter()
        fn()
        impl[name] = len(sets) / (time.perf_counter() - t)

    timed("datasketch MinHash（逐条 update_batch，原来的做法）", lambda: [textsim.minhash(s.tolist()) for s in sets])
    timed("datasketch MinHash.bulk + LeanMinHash", lambda: _datasketch_bulk(sets))
    timed("numpy 批量（datasketch 的置换，结果相同）", lambda: textsim.minhash_matrix(flat, offsets))
    try:
        from rensa import RMinHash

        timed(
            "rensa RMinHash.digest_matrix_from_flat_token_hashes（另一套哈希）",
            lambda: RMinHash.digest_matrix_from_flat_token_hashes(
                flat.astype(np.uint64), offsets.astype(np.uint64), textsim.NUM_PERM, 1
            ),
        )
    except ImportError:
        pass
    return {
        "texts": len(docs),
        "pairs": len(pairs),
        "planted": len(planted),
        "planted_found": len(planted & found),
        "scan_seconds": scan_seconds,
        "floor_seconds": floor_seconds,
        "minhash_texts": len(sets),
        "minhash_per_second": impl,
    }


def _datasketch_bulk(sets):
    from datasketch import LeanMinHash, MinHash

    from dangjian.integrity import textsim

    hashes = MinHash.bulk(
        (s.tolist() for s in sets),
        num_perm=textsim.NUM_PERM,
        seed=1,
        hashfunc=textsim._identity,
        permutations=textsim._PERMUTATIONS,
        scheme=textsim._SCHEME,
    )
    return [LeanMinHash(h) for h in hashes]


if __name__ == "__main__":  # `scan_in_child`: python -m bench.integrity <root id> <year>
    import json
    import sys

    print(json.dumps(_child(int(sys.argv[1]), int(sys.argv[2])), default=str))
