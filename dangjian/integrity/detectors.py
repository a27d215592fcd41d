"""The detectors. Each reads the records of one scope and year in a few queries and yields
`Found` patterns with a plain Chinese explanation, a strength and the records behind them."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from dangjian.core.settings_registry import setting
from dangjian.integrity.models import SignalKind
from dangjian.integrity.textsim import (
    Doc,
    Roster,
    aligned_sentences,
    contained_in_published,
    find_near_duplicates,
    nfkc_all,
    normalize,
    normalized_lengths,
    plain_canonical,
    sentences,
    shared_passages,
)
from dangjian.rules.orglife import committee_quorum_ok


@dataclass
class Found:
    kind: str
    org_id: int
    year: int
    strength: float
    title: str
    explanation: str
    records: list[dict]
    state: list = field(default_factory=list)  # values whose change should re-open a reviewed signal
    details: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        ids = sorted(f"{r['type']}:{r['id']}" for r in self.records)
        return hashlib.sha256(f"{self.kind}|{self.year}|{'|'.join(ids)}".encode()).hexdigest()

    @property
    def state_digest(self) -> str:
        return hashlib.sha256(repr(sorted(map(str, self.state))).encode()).hexdigest()


def _setting(name: str, default):
    """A threshold declared in core.settings_registry (`default` is the declared one)."""
    return setting(name)


def _meetings(root, year):
    from dangjian.meetings.models import Meeting

    return Meeting.objects.filter(org__path__startswith=root.path, date__year=year)


def _mref(m: dict) -> dict:
    return {"type": "meeting", "id": m["id"], "label": f"{m['date']:%Y年%m月%d日} {m['topic']}"}


# --- 1. near-duplicate text -----------------------------------------------------------------
_MEETING_TEXT = ("id", "branch_id", "date", "topic", "place", "minutes", "decisions", "updated_at")
_TALK_TEXT = ("id", "branch_id", "date", "summary", "updated_at")
_STUDY_TEXT = ("id", "member__branch_id", "member__name", "activity__date", "reflection")


def _meeting_entry(m: dict) -> dict:
    return {
        **_mref(m),
        "org_id": m["branch_id"],
        "text": f"{m['minutes']}{m['decisions']}",
        "state": m["updated_at"],
        "date": m["date"],
        "place": m["place"],
    }


def _talk_entry(t: dict) -> dict:
    return {
        "type": "talk",
        "id": t["id"],
        "label": f"{t['date']:%Y年%m月%d日} 谈心谈话",
        "org_id": t["branch_id"],
        "text": t["summary"],
        "state": t["updated_at"],
        "date": t["date"],
    }


def _study_entry(r: dict) -> dict:
    return {
        "type": "study",
        "id": r["id"],
        "label": f"{r['activity__date']:%Y年%m月%d日} {r['member__name']}的学习心得",
        "org_id": r["member__branch_id"],
        "text": r["reflection"],
        "state": r["reflection"],
        "date": r["activity__date"],
    }


def _text_rows(root, year) -> Iterable[tuple[str, dict, str]]:
    """("type:id", row, topic excluded from its shingles) of the year's minutes, talk
    summaries and study reflections, streamed (the year's texts are not also kept as rows)."""
    from dangjian.meetings.models import Talk

    for m in _meetings(root, year).values(*_MEETING_TEXT).iterator(chunk_size=2_000):
        yield f"meeting:{m['id']}", _meeting_entry(m), m["topic"]
    talks = Talk.objects.filter(branch__path__startswith=root.path, date__year=year).exclude(summary="")
    for t in talks.values(*_TALK_TEXT).iterator(chunk_size=2_000):
        yield f"talk:{t['id']}", _talk_entry(t), ""
    for r in _study_rows(root, year):
        yield f"study:{r['id']}", _study_entry(r), ""


def text_documents(root, year) -> tuple[list[Doc], dict[str, dict]]:
    """Minutes, talk summaries and study reflections of the year, keyed "type:id", with each
    one's record (label, organization, text, state) — for a small scope; the scan itself
    keeps only the texts (`_scan_documents`)."""
    docs: list[Doc] = []
    meta: dict[str, dict] = {}
    for key, entry, topic in _text_rows(root, year):
        docs.append(Doc(key, str(entry["org_id"]), entry["text"], exclude=topic))
        meta[key] = entry
    return docs, meta


def _scan_documents(root, year) -> tuple[list[Doc], dict[int, set[str]]]:
    """The year's texts as the scan reads them: each Doc's text already in NFKC form (all the
    scan needs of it: `find_near_duplicates` and `contained_in_published` read it only in that
    form), and the meeting places per organization (for the rosters). Nothing else is kept
    per record — a county has 50,000 — the records behind the pairs found are read afterwards
    (`_text_meta`)."""
    docs: list[Doc] = []
    places: dict[int, set[str]] = defaultdict(set)
    batch: list[tuple[str, str, str, str]] = []
    shared: dict = {}  # one string per organization and per topic, not one per record
    for key, entry, topic in _text_rows(root, year):
        if entry.get("place"):
            places[entry["org_id"]].add(entry["place"])
        group = shared.setdefault(entry["org_id"], str(entry["org_id"]))
        batch.append((key, group, entry["text"], shared.setdefault(topic, topic)))
        if len(batch) == 5_000:
            _add_nfkc(docs, batch)
    _add_nfkc(docs, batch)
    return docs, places


def _add_nfkc(docs: list[Doc], batch: list[tuple[str, str, str, str]]) -> None:
    """docs += the batch's (key, group, text, topic) as Docs with NFKC texts; empties the batch."""
    texts = nfkc_all([text for _k, _g, text, _t in batch])
    docs.extend(
        Doc(key, group, text, exclude=topic) for (key, group, _x, topic), text in zip(batch, texts, strict=True)
    )
    batch.clear()


def _text_meta(keys: set[str]) -> dict[str, dict]:
    """The records ("type:id") behind the pairs found, as `text_documents` gives them."""
    from dangjian.meetings.models import Meeting, Talk

    ids: dict[str, list[int]] = defaultdict(list)
    for key in keys:
        kind, _sep, pk = key.partition(":")
        ids[kind].append(int(pk))
    meta = {}
    if ids["meeting"]:
        for m in Meeting.objects.filter(id__in=ids["meeting"]).values(*_MEETING_TEXT):
            meta[f"meeting:{m['id']}"] = _meeting_entry(m)
    if ids["talk"]:
        for t in Talk.objects.filter(id__in=ids["talk"]).values(*_TALK_TEXT):
            meta[f"talk:{t['id']}"] = _talk_entry(t)
    if ids["study"]:
        from dangjian.study.models import StudyRecord

        for r in StudyRecord.objects.filter(id__in=ids["study"]).values(*_STUDY_TEXT):
            meta[f"study:{r['id']}"] = _study_entry(r)
    return meta


def _study_rows(root, year) -> Iterable[dict]:
    try:
        from dangjian.study.models import StudyRecord
    except ImportError:
        return []
    fields = {f.name for f in StudyRecord._meta.get_fields()}
    if "reflection" not in fields:
        return []
    rows = (
        StudyRecord.objects.filter(member__branch__path__startswith=root.path, activity__date__year=year)
        .exclude(reflection="")
        .values(*_STUDY_TEXT)
    )
    return rows.iterator(chunk_size=2_000)


def rosters(root, docs: list[Doc], meta: dict[str, dict]) -> dict[str, Roster]:
    """Per organization, the names a copier changes: its members, its own name and short
    name (the village or community), and the places its meetings were held."""
    places: dict[int, set[str]] = defaultdict(set)
    for entry in meta.values():
        if entry.get("place"):
            places[entry["org_id"]].add(entry["place"])
    return _rosters({int(d.group) for d in docs}, places)


def _rosters(org_ids: set[int], meeting_places: dict[int, set[str]]) -> dict[str, Roster]:
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization

    people: dict[int, set[str]] = defaultdict(set)
    for branch_id, name in Member.objects.filter(branch_id__in=org_ids).values_list("branch_id", "name"):
        people[branch_id].add(name)
    places: dict[int, set[str]] = defaultdict(set)
    for org_id, name, short in Organization.objects.filter(id__in=org_ids).values_list("id", "name", "short_name"):
        places[org_id].update(_place_names(name, short))
    for org_id, names in meeting_places.items():
        places[org_id].update(names)
    return {str(i): Roster(people[i], places[i]) for i in org_ids}


_ORG_SUFFIXES = ("党总支部", "党总支", "党支部", "总支部", "支部", "党委", "委员会")


def _place_names(name: str, short: str) -> set[str]:
    out = set()
    for n in (name, short):
        for suffix in _ORG_SUFFIXES:
            if n.endswith(suffix):
                n = n[: -len(suffix)]
                break
        if len(n) >= 2:
            out.add(n)
            for tail in ("村", "社区", "居委会"):  # 杏园村 → also 杏园
                if n.endswith(tail) and len(n) - len(tail) >= 2:
                    out.add(n[: -len(tail)])
    return out


def published_documents(root) -> list[Doc]:
    """Published material the scan compares against: entered for this organization, one of
    its ancestors (上级文件) or one of its subtree."""
    from dangjian.integrity.models import PublishedText

    step = type(root).steplen
    ancestors = [root.path[:i] for i in range(step, len(root.path), step)]
    qs = PublishedText.objects.filter(Q(org__path__startswith=root.path) | Q(org__path__in=ancestors))
    docs = [Doc(f"published:{p['id']}", "published", p["text"]) for p in qs.values("id", "text")]
    # The study materials library (学习资料) is published material too: a 心得 or minutes that is
    # mostly a material's own text is a copy of it.
    from dangjian.study.models import Material

    mats = Material.objects.filter(Q(org__path__startswith=root.path) | Q(org__path__in=ancestors)).exclude(body="")
    docs += [Doc(f"material:{m['id']}", "published", m["body"]) for m in mats.values("id", "body")]
    return docs


def _published_meta(keys: set[str]) -> dict[str, dict]:
    from dangjian.integrity.models import PublishedText
    from dangjian.study.models import Material

    ids = [int(k.split(":")[1]) for k in keys if k.startswith("published:")]
    mat_ids = [int(k.split(":")[1]) for k in keys if k.startswith("material:")]
    materials = {
        f"material:{m['id']}": {
            "type": "material",
            "id": m["id"],
            "label": f"学习资料《{m['title']}》",
            "text": m["body"],
            "state": m["updated_at"],
        }
        for m in Material.objects.filter(id__in=mat_ids).values("id", "title", "body", "updated_at")
    }
    return materials | {
        f"published:{p['id']}": {
            "type": "published",
            "id": p["id"],
            "label": f"已发布材料《{p['title']}》",
            "text": p["text"],
            "state": p["updated_at"],
        }
        for p in PublishedText.objects.filter(id__in=ids).values("id", "title", "text", "updated_at")
    }


def _copied_sentences(a: str, b: str, roster: Roster | None) -> tuple[int, int, int]:
    """(sentences of b found in a, sentences of b, of those found: how many are in a different order)."""
    pairs = aligned_sentences(a, b, roster=roster)
    total = sum(1 for _s, t in sentences(b) if len(normalize(t)) >= 4)
    moved = sum(1 for (i1, _j1), (i2, _j2) in zip(pairs, pairs[1:]) if i2 < i1)
    return len(pairs), total, moved


def near_duplicate_text(root, year) -> list[Found]:
    threshold = _setting("NEAR_DUP_THRESHOLD", 0.5)
    containment = _setting("NEAR_DUP_CONTAINMENT", 0.6)
    docs, places = _scan_documents(root, year)
    by_org = _rosters({int(d.group) for d in docs}, places) if docs else {}
    del places
    nfkc = [d.text for d in docs]  # the Docs' texts are in NFKC form already
    plain = plain_canonical(nfkc)  # shared by the folded reading and the published check
    near = find_near_duplicates(
        docs, threshold=threshold, containment=containment, rosters=by_org, nfkc=nfkc, plain=plain
    )
    published = published_documents(root)
    copied = []
    if published:
        share = _setting("PUBLISHED_CONTAINMENT", 0.5)
        copied = contained_in_published(docs, published, containment=share, norms=plain)
    del docs, nfkc, plain, published
    # Only now the records behind the pairs (their text as written, for the side-by-side view).
    meta = _text_meta({p.a for p in near} | {p.b for p in near} | {p.b for p in copied})
    out = []
    for pair in near:
        if pair.a not in meta or pair.b not in meta:
            continue  # deleted since it was read: no longer a record to review
        a, b = meta[pair.a], meta[pair.b]
        if b["date"] < a["date"]:
            a, b = b, a  # the earlier record on the left: the likely original
        roster = _both(by_org, a, b)
        blocks = shared_passages(a["text"], b["text"], roster=roster)
        shared = sum(size for _x, _y, size in blocks)
        found_n, total, moved = _copied_sentences(a["text"], b["text"], roster)
        same_org = a["org_id"] == b["org_id"]
        where = "同一支部的不同记录之间" if same_org else "不同支部的记录之间"
        how = []
        if moved:
            how.append("部分语句调换了顺序")
        if pair.jaccard < 0.9:
            how.append("人名、数字、日期或地名有改动，或增删了少量内容")
        out.append(
            Found(
                kind=SignalKind.NEAR_DUPLICATE_TEXT,
                org_id=b["org_id"],
                year=year,
                strength=min(1.0, pair.similarity),
                title=f"{a['label']} 与 {b['label']} 文字高度雷同",
                explanation=(
                    f"{where}，除去各支部通用的套话（如会议开场、统一议程、学习文件标题），并把人名、数字、日期、"
                    f"地名看作可替换的内容后，后一份记录{pair.containment:.0%}的特有文字能在前一份中找到"
                    f"（两份整体相同{pair.jaccard:.0%}）；逐句对照，后一份{total}句中有{found_n}句几乎照搬"
                    + (f"（{'，'.join(how)}）" if how else "")
                    + f"，共同文字约{shared}字。可能是照抄照搬或事后补写，请对照下方黄色标出的段落核对原始记录。"
                ),
                records=[{k: a[k] for k in ("type", "id", "label")}, {k: b[k] for k in ("type", "id", "label")}],
                state=[a["state"], b["state"]],
                details={
                    "similarity": pair.similarity,
                    "jaccard": pair.jaccard,
                    "containment": pair.containment,
                    "blocks": blocks[:80],
                    "orgs": [a["org_id"], b["org_id"]],
                },
            )
        )
    out.extend(_copied_published(year, copied, meta, by_org))
    return out


def _both(by_org: dict[str, Roster], a: dict, b: dict) -> Roster | None:
    ra, rb = by_org.get(str(a.get("org_id"))), by_org.get(str(b.get("org_id")))
    if ra is None or rb is None:
        return ra or rb
    return Roster(ra.people + rb.people, ra.places + rb.places)


def _copied_published(year, pairs, meta, by_org) -> list[Found]:
    """Signals of the records found mostly taken from published material (`pairs`, from
    `contained_in_published`: a the published text, b the record)."""
    pub_meta = _published_meta({p.a for p in pairs})
    out = []
    for pair in pairs:
        if pair.b not in meta:
            continue  # deleted since it was read
        p, r = pub_meta[pair.a], meta[pair.b]
        roster = by_org.get(str(r["org_id"]))
        blocks = shared_passages(p["text"], r["text"], roster=roster)
        shared = sum(size for _x, _y, size in blocks)
        out.append(
            Found(
                kind=SignalKind.COPIED_PUBLISHED,
                org_id=r["org_id"],
                year=year,
                strength=min(1.0, pair.containment),
                title=f"{r['label']} 大段照抄{p['label']}",
                explanation=(
                    f"这份记录{pair.containment:.0%}的文字与{p['label']}相同（共同文字约{shared}字）。"
                    "学习心得、会议记录应写本人、本支部的实际体会和讨论情况，整段照抄上级文件或范文属于"
                    "形式主义，请核实是否如实记录。"
                ),
                records=[{k: p[k] for k in ("type", "id", "label")}, {k: r[k] for k in ("type", "id", "label")}],
                state=[p["state"], r["state"]],
                details={"similarity": pair.similarity, "containment": pair.containment, "blocks": blocks[:80]},
            )
        )
    return out


# --- 2. identical attendance lists ------------------------------------------------------------
def identical_attendance(root, year) -> list[Found]:
    """Meetings of one branch whose lists of who was present, excused and absent are identical,
    where chance makes that implausible.

    Chronic absentees and always-present members repeat honestly; what is implausible is the
    same pattern among members who sometimes come and sometimes don't. The chance of a
    pattern is the product, over the expected members, of each member's own yearly rate of
    being in that state; k identical meetings are flagged when n·p^(k-1) (n = the branch's
    meetings that year) is below a small bound (setting SAME_ATTENDANCE_MAX_CHANCE).
    """
    from dangjian.meetings.models import Attendance, Meeting

    min_expected = _setting("SAME_ATTENDANCE_MIN_EXPECTED", 8)
    min_repeats = _setting("SAME_ATTENDANCE_MIN_REPEATS", 3)
    max_chance = _setting("SAME_ATTENDANCE_MAX_CHANCE", 0.01)
    rows = (
        Attendance.objects.filter(meeting__org__path__startswith=root.path, meeting__date__year=year)
        .values_list("meeting_id", "meeting__branch_id", "member_id", "status")
        .order_by("meeting_id")
    )
    per_meeting: dict[int, list] = defaultdict(list)
    branch_of: dict[int, int] = {}
    state_counts: dict[tuple[int, str], int] = Counter()
    member_counts: Counter[int] = Counter()
    entry_of: dict[tuple[int, str], tuple[int, str]] = {}
    for meeting_id, branch_id, member_id, status in rows.iterator(chunk_size=10_000):  # not 600,000 at once
        # One (member, status) tuple for all the rows that have it: a county's 600,000 rows
        # then hold 8-byte references, not a tuple, an int and a string each.
        entry = entry_of.setdefault((member_id, status), (member_id, status))
        per_meeting[meeting_id].append(entry)
        branch_of[meeting_id] = branch_id
        state_counts[entry] += 1
        member_counts[entry[0]] += 1
    del entry_of
    meetings_per_branch: Counter[int] = Counter(branch_of.values())
    groups: dict[tuple, list[int]] = defaultdict(list)
    for meeting_id, entries in per_meeting.items():
        if len(entries) >= min_expected:
            groups[(branch_of[meeting_id], frozenset(entries))].append(meeting_id)
    suspicious = []
    for (branch_id, pattern), meeting_ids in groups.items():
        k = len(meeting_ids)
        if k < min_repeats:
            continue
        chance = 1.0
        for member_id, status in pattern:
            rate = state_counts[(member_id, status)] / member_counts[member_id]
            chance *= min(0.98, max(0.02, rate))
        expected = meetings_per_branch[branch_id] * chance ** (k - 1)
        if expected < max_chance:
            suspicious.append((branch_id, pattern, meeting_ids, expected))
    if not suspicious:
        return []
    info = {
        m["id"]: m
        for m in Meeting.objects.filter(id__in=[i for s in suspicious for i in s[2]]).values(
            "id", "date", "topic", "updated_at"
        )
    }
    out = []
    for branch_id, pattern, meeting_ids, expected in suspicious:
        ms = [info[i] for i in sorted(meeting_ids)]
        away = sum(1 for _m, s in pattern if s != "present")
        out.append(
            Found(
                kind=SignalKind.IDENTICAL_ATTENDANCE,
                org_id=branch_id,
                year=year,
                strength=min(1.0, 0.5 + 0.1 * len(ms)),
                title=f"{len(ms)}次会议的出席、请假、缺席名单一模一样",
                explanation=(
                    f"同一支部{len(ms)}次会议中，{len(pattern)}名应到党员谁出席、谁请假、谁缺席完全相同"
                    f"（其中{away}人未出席）。按这些党员全年各自的出席情况推算，偶然出现这么多次完全相同名单的可能性"
                    f"极小（约{expected:.1e}），可能是复制了以前的出席名单，请核对签到记录。"
                ),
                records=[_mref(m) for m in ms],
                state=[m["updated_at"] for m in ms],
                details={"chance": expected, "not_present": sorted(m for m, s in pattern if s != "present")},
            )
        )
    return out


# --- 3. one member at two overlapping meetings in different places ----------------------------
def overlapping_presence(root, year) -> list[Found]:
    from dangjian.meetings.models import Attendance

    present = Attendance.objects.filter(
        meeting__org__path__startswith=root.path, meeting__date__year=year, status="present", attended_elsewhere=False
    )
    busy = (
        present.values("member_id", "meeting__date")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("member_id", "meeting__date")
    )
    busy = set(busy)
    if not busy:
        return []
    # Two IN lists, then the exact (member, day) pairs in Python: one OR per pair makes an
    # expression tree SQLite refuses and PostgreSQL plans for minutes at county scale.
    rows = present.filter(member_id__in={m for m, _d in busy}, meeting__date__in={d for _m, d in busy}).values(
        "member_id",
        "member__name",
        "meeting_id",
        "meeting__branch_id",
        "meeting__date",
        "meeting__start_time",
        "meeting__end_time",
        "meeting__place",
        "meeting__topic",
        "meeting__updated_at",
    )
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows.iterator(chunk_size=10_000):
        key = (r["member_id"], r["meeting__date"])
        if key in busy:
            by_key[key].append(r)
    out = []
    for (_member_id, d), rs in by_key.items():
        rs.sort(key=lambda r: r["meeting__start_time"])
        for i, a in enumerate(rs):
            for b in rs[i + 1 :]:
                if b["meeting__start_time"] >= a["meeting__end_time"]:
                    break
                if normalize(a["meeting__place"]) == normalize(b["meeting__place"]):
                    continue
                ma = {"id": a["meeting_id"], "date": d, "topic": a["meeting__topic"]}
                mb = {"id": b["meeting_id"], "date": d, "topic": b["meeting__topic"]}
                out.append(
                    Found(
                        kind=SignalKind.OVERLAPPING_PRESENCE,
                        org_id=b["meeting__branch_id"],
                        year=year,
                        strength=0.9,
                        title=f"{a['member__name']}在{d:%Y年%m月%d日}同时出席两地的会议",
                        explanation=(
                            f"{a['member__name']}被记为出席“{a['meeting__topic']}”（{a['meeting__place']}，"
                            f"{a['meeting__start_time']:%H:%M}—{a['meeting__end_time']:%H:%M}）和"
                            f"“{b['meeting__topic']}”（{b['meeting__place']}，{b['meeting__start_time']:%H:%M}—"
                            f"{b['meeting__end_time']:%H:%M}），两次会议时间重叠、地点不同，一人不可能同时在两处。"
                        ),
                        records=[
                            _mref(ma),
                            _mref(mb),
                            {"type": "member", "id": a["member_id"], "label": a["member__name"]},
                        ],
                        state=[a["meeting__updated_at"], b["meeting__updated_at"]],
                    )
                )
    return out


# --- 4. 补录 patterns ---------------------------------------------------------------------------
def late_entry_patterns(root, year) -> list[Found]:
    batch_min = _setting("LATE_BATCH_MIN", 5)
    batch_days = _setting("LATE_BATCH_DAYS", 30)
    rows = list(_meetings(root, year).values("id", "branch_id", "date", "topic", "created_at", "updated_at"))
    out = []
    by_branch_day: dict[tuple[int, date], list[dict]] = defaultdict(list)
    by_branch: dict[int, list[dict]] = defaultdict(list)
    for m in rows:
        created = timezone.localtime(m["created_at"]).date()
        m["created_date"] = created
        by_branch[m["branch_id"]].append(m)
        if (created - m["date"]).days > batch_days:
            by_branch_day[(m["branch_id"], created)].append(m)
    year_end = _year_end_batches(by_branch, year)
    for (branch_id, created), ms in by_branch_day.items():
        if len(ms) < batch_min or (branch_id in year_end and created >= date(year, 12, 1)):
            continue  # reported once, as a year-end batch
        ms.sort(key=lambda m: m["date"])
        out.append(
            Found(
                kind=SignalKind.LATE_BATCH,
                org_id=branch_id,
                year=year,
                strength=min(1.0, 0.3 + 0.07 * len(ms)),
                title=f"{created:%Y年%m月%d日}一天补录了{len(ms)}次会议",
                explanation=(
                    f"这些会议发生在{ms[0]['date']:%Y年%m月%d日}至{ms[-1]['date']:%Y年%m月%d日}，"
                    f"却在{created:%Y年%m月%d日}同一天集中录入，均晚于会议日期{batch_days}天以上。"
                    "集中补录可能是事后补写，请核对当时的签到表、照片等原始材料。"
                ),
                records=[_mref(m) for m in ms],
                state=[m["updated_at"] for m in ms],
            )
        )
    covered = {r["id"] for f in out for r in f.records}
    covered |= {m["id"] for _b, (_ms, late) in year_end.items() for m in late}
    out.extend(_quarter_sittings(by_branch, year, covered))
    for branch_id, (ms, late) in year_end.items():
        out.append(
            Found(
                kind=SignalKind.YEAR_END_BATCH,
                org_id=branch_id,
                year=year,
                strength=min(1.0, len(late) / len(ms)),
                title=f"{year}年{len(late)}次会议在年底才录入",
                explanation=(
                    f"该支部{year}年共{len(ms)}次会议，其中{len(late)}次（{len(late) / len(ms):.0%}）"
                    f"在{year}年12月或以后才录入系统，而会议本身发生在11月以前。全年记录集中在年底录入，"
                    "可能是为应付检查补写，请核对原始记录。"
                ),
                records=[_mref(m) for m in sorted(late, key=lambda m: m["date"])],
                state=[m["updated_at"] for m in late],
            )
        )
    return out


def _year_end_batches(by_branch: dict[int, list[dict]], year: int) -> dict[int, tuple[list, list]]:
    """Branches that entered most of the year's meetings (held before November) in December."""
    share = _setting("YEAR_END_SHARE", 0.7)
    out = {}
    for branch_id, ms in by_branch.items():
        if len(ms) < 6:
            continue
        late = [m for m in ms if m["created_date"] >= date(year, 12, 1) and m["date"] < date(year, 11, 1)]
        if len(late) / len(ms) >= share:
            out[branch_id] = (ms, late)
    return out


# --- 5. full attendance where many members are away -------------------------------------------
def mobile_full_attendance(root, year) -> list[Found]:
    from dangjian.meetings.models import Attendance

    min_meetings = _setting("MOBILE_FULL_MIN_MEETINGS", 8)
    min_mobile = _setting("MOBILE_FULL_MIN_MEMBERS", 3)
    rows = (
        Attendance.objects.filter(
            meeting__org__path__startswith=root.path, meeting__date__year=year, member__is_mobile=True
        )
        .values("meeting__branch_id", "member_id")
        .annotate(
            n=Count("id"),
            present_here=Count("id", filter=Q(status="present", attended_elsewhere=False)),
        )
    )
    per_branch: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        per_branch[r["meeting__branch_id"]].append(r)
    out = []
    for branch_id, rs in per_branch.items():
        always = [r for r in rs if r["n"] >= min_meetings and r["present_here"] == r["n"]]
        if len(always) < min_mobile:
            continue
        out.append(
            Found(
                kind=SignalKind.MOBILE_FULL_ATTENDANCE,
                org_id=branch_id,
                year=year,
                strength=min(1.0, 0.3 + 0.1 * len(always)),
                title=f"{len(always)}名外出流动党员全年每次都记为本支部现场出席",
                explanation=(
                    f"该支部有{len(rs)}名流动党员（在外务工等），其中{len(always)}人在{year}年的每次会议"
                    f"（每人至少{min_meetings}次）都被记为在本支部出席，且没有标记为参加流入地组织生活。"
                    "长期在外的党员每次都能回来参会不太可能，请核对是否如实记录。"
                ),
                records=[{"type": "member", "id": r["member_id"], "label": f"党员{r['member_id']}"} for r in always],
                state=[(r["member_id"], r["n"], r["present_here"]) for r in always],
            )
        )
    _label_members(out)
    return out


def _label_members(found: list[Found]) -> None:
    from dangjian.members.models import Member

    ids = {r["id"] for f in found for r in f.records if r["type"] == "member"}
    names = dict(Member.objects.filter(id__in=ids).values_list("id", "name"))
    for f in found:
        for r in f.records:
            if r["type"] == "member":
                r["label"] = names.get(r["id"], r["label"])


# --- 6. the same photo on different meetings -----------------------------------------------------
def same_photo(root, year) -> list[Found]:
    from dangjian.meetings.models import Attachment

    rows = list(
        Attachment.objects.filter(meeting__org__path__startswith=root.path, meeting__date__year=year).values(
            "id",
            "name",
            "sha256",
            "phash",
            "meeting_id",
            "meeting__branch_id",
            "meeting__date",
            "meeting__topic",
        )
    )
    max_distance = _setting("PHOTO_MAX_DISTANCE", 6)
    pairs: dict[tuple[int, int], tuple[str, int]] = {}
    by_sha: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_sha[r["sha256"]].append(r)
    for same in by_sha.values():
        for i, a in enumerate(same):
            for b in same[i + 1 :]:
                if a["meeting_id"] != b["meeting_id"]:
                    pairs[tuple(sorted((a["id"], b["id"])))] = ("完全相同的文件", 0)
    # Re-saved copies: perceptual hashes within a small Hamming distance. Bucket by each byte
    # of the 64-bit hash (pigeonhole: distance ≤ 7 leaves at least one byte equal).
    buckets: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for r in rows:
        if len(r["phash"]) == 16:
            for i in range(8):
                buckets[(i, r["phash"][2 * i : 2 * i + 2])].append(r)
    for bucket in buckets.values():
        for i, a in enumerate(bucket):
            for b in bucket[i + 1 :]:
                if a["meeting_id"] == b["meeting_id"]:
                    continue
                k = tuple(sorted((a["id"], b["id"])))
                if k in pairs:
                    continue
                dist = bin(int(a["phash"], 16) ^ int(b["phash"], 16)).count("1")
                if dist <= max_distance:
                    pairs[k] = (f"内容几乎相同的图片（感知哈希差异{dist}）", dist)
    by_id = {r["id"]: r for r in rows}
    out = []
    for (ia, ib), (how, dist) in pairs.items():
        a, b = by_id[ia], by_id[ib]
        ma = {"id": a["meeting_id"], "date": a["meeting__date"], "topic": a["meeting__topic"]}
        mb = {"id": b["meeting_id"], "date": b["meeting__date"], "topic": b["meeting__topic"]}
        out.append(
            Found(
                kind=SignalKind.SAME_PHOTO,
                org_id=b["meeting__branch_id"],
                year=year,
                strength=1.0 if dist == 0 else 0.8,
                title=f"两次不同会议附了同一张照片（{a['name']}）",
                explanation=(
                    f"{a['meeting__date']:%Y年%m月%d日}“{a['meeting__topic']}”与{b['meeting__date']:%Y年%m月%d日}"
                    f"“{b['meeting__topic']}”的附件是{how}。不同会议的现场照片不应相同，请核对是否重复使用旧照片。"
                ),
                records=[
                    _mref(ma),
                    _mref(mb),
                    {"type": "attachment", "id": ia, "label": a["name"]},
                    {"type": "attachment", "id": ib, "label": b["name"]},
                ],
                state=[a["sha256"], b["sha256"]],
            )
        )
    return out


# --- 7. 支委会 without quorum; minutes too short -------------------------------------------------
def committee_quorum(root, year) -> list[Found]:
    from django.db.models import Exists, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from dangjian.meetings.models import Attendance, Meeting
    from dangjian.orgs.models import Post
    from dangjian.rules.structure import COMMITTEE_POSTS

    # Quorum counts 支委 only (a combined 支委会 + 党员大会 has every member present): the
    # committee on the meeting date, and those of them present (issue 20).
    def on_date(qs, branch, day):
        return qs.filter(org=branch, kind__in=COMMITTEE_POSTS, started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day)
        )

    committee = (
        on_date(Post.objects, OuterRef("branch"), OuterRef("date"))
        .values("org")
        .annotate(n=Count("member", distinct=True))
        .values("n")
    )
    present = (
        Attendance.objects.filter(meeting=OuterRef("pk"), status="present")
        .filter(
            Exists(
                on_date(Post.objects, OuterRef("meeting__branch"), OuterRef("meeting__date")).filter(
                    member=OuterRef("member")
                )
            )
        )
        .values("meeting")
        .annotate(n=Count("id"))
        .values("n")
    )
    meetings = (
        Meeting.objects.filter(org__path__startswith=root.path, date__year=year, kind_links__kind="committee_meeting")
        .annotate(
            total=Coalesce(Subquery(committee, output_field=IntegerField()), 0),
            present=Coalesce(Subquery(present, output_field=IntegerField()), 0),
        )
        .values("id", "branch_id", "date", "topic", "total", "present", "updated_at")
        .distinct()
    )
    out = []
    for m in meetings:
        if m["total"] == 0 or committee_quorum_ok(m["present"], m["total"]):
            continue
        out.append(
            Found(
                kind=SignalKind.COMMITTEE_NO_QUORUM,
                org_id=m["branch_id"],
                year=year,
                strength=0.6,
                title=f"{m['date']:%Y年%m月%d日}支委会到会{m['present']}/{m['total']}人，不足半数",
                explanation=(
                    "《中国共产党支部工作条例（试行）》第十二条：支部委员会会议须有半数以上委员到会方能召开。"
                    f"这次会议支委{m['total']}人只到{m['present']}人，所作决定的效力存疑，请核实。"
                ),
                records=[_mref(m)],
                state=[m["updated_at"], m["present"], m["total"]],
            )
        )
    return out


def short_minutes(root, year) -> list[Found]:
    min_chars = _setting("MINUTES_MIN_CHARS", 60)
    out = []
    meetings = _meetings(root, year)
    if connection.vendor == "postgresql":
        # Each CJK ideograph stays one character of the normalised text (NFKC leaves the block
        # alone, nothing drops or folds it): a record with min_chars of them is long enough, and
        # its text need not be read. The rest are measured exactly below.
        from django.db.models import Func, Value
        from django.db.models.functions import Length

        def ideographs(name):
            return Length(Func(F(name), Value("[^\u4e00-\u9fff]"), Value(""), Value("g"), function="regexp_replace"))

        meetings = meetings.alias(cjk=ideographs("minutes") + ideographs("decisions")).filter(cjk__lt=min_chars)
    rows = list(meetings.values("id", "branch_id", "date", "topic", "minutes", "decisions", "updated_at"))
    lengths = normalized_lengths([m["minutes"] + m["decisions"] for m in rows])
    for m, length in zip(rows, lengths, strict=True):
        if length >= min_chars:
            continue
        out.append(
            Found(
                kind=SignalKind.SHORT_MINUTES,
                org_id=m["branch_id"],
                year=year,
                strength=0.3 if length else 0.5,
                title=f"{m['date']:%Y年%m月%d日}“{m['topic']}”会议记录只有{length}字",
                explanation=(
                    f"会议内容和决定合计仅{length}字（设定的最低要求为{min_chars}字），"
                    "不足以记录会议讨论了什么、决定了什么，请补充完善。"
                ),
                records=[_mref(m)],
                state=[m["updated_at"]],
            )
        )
    return out


# --- 8. records that cannot be true (issue 21) ---------------------------------------------------
def dated_after_entry(root, year) -> list[Found]:
    """A meeting (or talk) whose date is later than the day it was entered: the record was
    written before the meeting took place — attendance and all."""
    from dangjian.meetings.models import Talk

    out = []
    rows = (
        _meetings(root, year)
        .annotate(
            entered=TruncDate("created_at"), n_present=Count("attendance", filter=Q(attendance__status="present"))
        )
        .filter(date__gt=F("entered"))
        .values("id", "branch_id", "date", "topic", "entered", "n_present", "updated_at")
    )
    for m in rows:
        days = (m["date"] - m["entered"]).days
        out.append(
            Found(
                kind=SignalKind.DATED_AFTER_ENTRY,
                org_id=m["branch_id"],
                year=year,
                strength=0.9 if m["n_present"] else 0.6,
                title=f"{m['date']:%Y年%m月%d日}的会议在{m['entered']:%Y年%m月%d日}就已录入",
                explanation=(
                    f"这次会议的日期是{m['date']:%Y年%m月%d日}，但记录在{m['entered']:%Y年%m月%d日}就已录入系统，"
                    f"比会议早{days}天"
                    + (f"，而且已记了{m['n_present']}人出席" if m["n_present"] else "")
                    + "。会还没开就写好了记录，不可能是如实记录；如是预先安排的计划，应在会后据实修改日期和出席情况。"
                ),
                records=[_mref(m)],
                state=[m["updated_at"], m["date"]],
            )
        )
    talks = (
        Talk.objects.filter(branch__path__startswith=root.path, date__year=year)
        .annotate(entered=TruncDate("created_at"))
        .filter(date__gt=F("entered"))
        .values("id", "branch_id", "date", "entered", "updated_at")
    )
    for t in talks:
        out.append(
            Found(
                kind=SignalKind.DATED_AFTER_ENTRY,
                org_id=t["branch_id"],
                year=year,
                strength=0.8,
                title=f"{t['date']:%Y年%m月%d日}的谈心谈话在{t['entered']:%Y年%m月%d日}就已录入",
                explanation=(
                    f"谈话日期是{t['date']:%Y年%m月%d日}，记录却在{t['entered']:%Y年%m月%d日}就已录入，"
                    "谈话还没进行就写好了谈话内容，请核实。"
                ),
                records=[{"type": "talk", "id": t["id"], "label": f"{t['date']:%Y年%m月%d日} 谈心谈话"}],
                state=[t["updated_at"], t["date"]],
            )
        )
    return out


def unexpected_signin(root, year) -> list[Found]:
    """Sign-ins (QR or 代签, i.e. rows with a sign-in time) by people who could not have been
    expected: a member who is not on the branch committee signing into a 支委会 (its only
    kind), a member signing in before joining the Party or after leaving the branch."""
    from django.db.models import Exists, OuterRef

    from dangjian.meetings.models import Attendance, Kind, MeetingKindLink
    from dangjian.orgs.models import Post

    links = MeetingKindLink.objects.filter(meeting=OuterRef("meeting"))
    rows = list(
        Attendance.objects.filter(
            meeting__org__path__startswith=root.path,
            meeting__date__year=year,
            status="present",
            signed_in_at__isnull=False,
        )
        # Only the sign-ins that can be wrong (the rest are read for nothing: 600,000 at county
        # scale): a member not yet in the Party or gone, or any sign-in to a 支委会 and nothing else.
        .filter(
            Q(member__joined_on__gt=F("meeting__date"))
            | Q(member__left_on__lte=F("meeting__date"), member__is_current=False)
            | (Exists(links.filter(kind=Kind.COMMITTEE_MEETING)) & ~Exists(links.exclude(kind=Kind.COMMITTEE_MEETING)))
        )
        .values(
            "id",
            "meeting_id",
            "meeting__branch_id",
            "meeting__date",
            "meeting__topic",
            "meeting__updated_at",
            "member_id",
            "member__name",
            "member__joined_on",
            "member__left_on",
            "member__is_current",
            "signed_by_id",
        )
    )
    if not rows:
        return []
    kinds: dict[int, set[str]] = defaultdict(set)
    for mid, kind in MeetingKindLink.objects.filter(meeting_id__in={r["meeting_id"] for r in rows}).values_list(
        "meeting_id", "kind"
    ):
        kinds[mid].add(kind)
    committee_only = {mid for mid, ks in kinds.items() if ks == {Kind.COMMITTEE_MEETING}}
    posts: dict[int, list[tuple]] = defaultdict(list)
    branches = {r["meeting__branch_id"] for r in rows if r["meeting_id"] in committee_only}
    committee_posts = [k for k in Post.Kind.values if k != Post.Kind.GROUP_LEADER]
    for org_id, member_id, start, end in Post.objects.filter(org_id__in=branches, kind__in=committee_posts).values_list(
        "org_id", "member_id", "started_on", "ended_on"
    ):
        posts[org_id].append((member_id, start, end))
    problems: dict[int, list[tuple[dict, str]]] = defaultdict(list)
    info: dict[int, dict] = {}
    for r in rows:
        d = r["meeting__date"]
        why = None
        if r["member__joined_on"] and r["member__joined_on"] > d:
            why = f"{r['member__name']}的入党日期是{r['member__joined_on']:%Y年%m月%d日}，会议时还不是党员"
        elif r["member__left_on"] and not r["member__is_current"] and r["member__left_on"] <= d:
            why = f"{r['member__name']}已于{r['member__left_on']:%Y年%m月%d日}离开本组织"
        elif r["meeting_id"] in committee_only:
            # The committee on that day, if the posts are on record for it (a branch that
            # recorded only its current committee says nothing about earlier meetings).
            serving = {m for m, s, e in posts.get(r["meeting__branch_id"], ()) if s <= d and (e is None or e >= d)}
            if serving and r["member_id"] not in serving:
                why = f"{r['member__name']}不是支部委员，却在支委会签到"
        if why:
            how = "由他人代签" if r["signed_by_id"] else "扫码签到"
            problems[r["meeting_id"]].append((r, f"{why}（{how}）"))
            info[r["meeting_id"]] = {"id": r["meeting_id"], "date": d, "topic": r["meeting__topic"]}
    out = []
    for meeting_id, items in problems.items():
        first = items[0][0]
        out.append(
            Found(
                kind=SignalKind.UNEXPECTED_SIGNIN,
                org_id=first["meeting__branch_id"],
                year=year,
                strength=min(1.0, 0.6 + 0.1 * len(items)),
                title=f"{first['meeting__date']:%Y年%m月%d日}“{first['meeting__topic']}”有{len(items)}人不应签到",
                explanation=(
                    "签到名单里有不在应到范围内的人："
                    + "；".join(text for _r, text in items)
                    + "。支委会应由支部委员参加（列席人员不需签到），不是党员或已转出的人不应出现在签到名单上。"
                    "可能是他人代为签到或事后补签，请核对签到记录。"
                ),
                records=[
                    _mref(info[meeting_id]),
                    *({"type": "member", "id": r["member_id"], "label": r["member__name"]} for r, _t in items),
                ],
                state=[first["meeting__updated_at"], *sorted(r["id"] for r, _t in items)],
            )
        )
    return out


def signin_burst(root, year) -> list[Found]:
    """Many QR sign-ins within seconds from one phone (the same browser cookie) or from one
    network address: a secretary signing in for everyone. One phone used by several
    different members is flagged from SIGNIN_DEVICE_MIN (3) members; a shared network (a
    village Wi-Fi) only when SIGNIN_ADDRESS_MIN (6) sign-ins fall within
    SIGNIN_BURST_SECONDS (20) seconds of each other."""
    from dangjian.meetings.models import Attendance

    device_min = _setting("SIGNIN_DEVICE_MIN", 3)
    address_min = _setting("SIGNIN_ADDRESS_MIN", 6)
    window = _setting("SIGNIN_BURST_SECONDS", 20)
    rows = list(
        Attendance.objects.filter(
            meeting__org__path__startswith=root.path,
            meeting__date__year=year,
            signed_in_at__isnull=False,
            signed_by__isnull=True,
        )
        .filter(~Q(signin_device="") | Q(signin_address__isnull=False))
        .values(
            "id",
            "meeting_id",
            "meeting__branch_id",
            "meeting__date",
            "meeting__topic",
            "member_id",
            "member__name",
            "signed_in_at",
            "signin_device",
            "signin_address",
        )
        .order_by("meeting_id", "signed_in_at")
    )
    by_device: dict[tuple, list[dict]] = defaultdict(list)
    by_address: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        if r["signin_device"]:
            by_device[(r["meeting_id"], r["signin_device"])].append(r)
        if r["signin_address"]:
            by_address[(r["meeting_id"], r["signin_address"])].append(r)
    out = []
    flagged: set[int] = set()
    for rs in by_device.values():
        if len({r["member_id"] for r in rs}) >= device_min:
            out.append(_burst(rs, year, "同一部手机（同一浏览器）", 0.9))
            flagged.add(rs[0]["meeting_id"])
    for (meeting_id, address), rs in by_address.items():
        if meeting_id in flagged:
            continue
        run = _densest(rs, window)
        if len(run) >= address_min:
            out.append(_burst(run, year, f"同一网络地址（{address}）", 0.6))
    return out


def _densest(rs: list[dict], seconds: int) -> list[dict]:
    best: list[dict] = []
    j = 0
    for i in range(len(rs)):
        while (rs[i]["signed_in_at"] - rs[j]["signed_in_at"]).total_seconds() > seconds:
            j += 1
        if i - j + 1 > len(best):
            best = rs[j : i + 1]
    return best


def _burst(rs: list[dict], year: int, source: str, strength: float) -> Found:
    first, last = rs[0], rs[-1]
    span = int((last["signed_in_at"] - first["signed_in_at"]).total_seconds())
    t0 = timezone.localtime(first["signed_in_at"])
    names = "、".join(r["member__name"] for r in rs[:12]) + ("等" if len(rs) > 12 else "")
    note = (
        "一部手机不能替多名党员扫码签到，"
        if strength >= 0.9
        else "会场共用无线网络时地址可能相同，但这么多人几秒钟内依次签到并不常见，"
    )
    return Found(
        kind=SignalKind.SIGNIN_BURST,
        org_id=first["meeting__branch_id"],
        year=year,
        strength=strength,
        title=f"{first['meeting__date']:%Y年%m月%d日}“{first['meeting__topic']}”{len(rs)}人的签到来自{source}",
        explanation=(
            f"{t0:%H:%M:%S}起{span}秒内，{names}共{len(rs)}人的扫码签到都来自{source}。"
            f"{note}可能是有人集中代签而未登记为代签，请核对现场签到情况。"
        ),
        records=[
            _mref({"id": first["meeting_id"], "date": first["meeting__date"], "topic": first["meeting__topic"]}),
            *({"type": "member", "id": r["member_id"], "label": r["member__name"]} for r in rs),
        ],
        state=sorted(r["id"] for r in rs),
        details={"signed_in_at": [timezone.localtime(r["signed_in_at"]).isoformat() for r in rs]},
    )


def _quarter_sittings(by_branch: dict[int, list[dict]], year: int, covered: set[int]) -> list[Found]:
    """The meetings of all three months of a quarter entered within a few hours of each other
    (setting QUARTER_SITTING_HOURS, 3), at least QUARTER_SITTING_MIN (3) meetings, weeks
    after the first of them: a quarter written up in one sitting."""
    hours = _setting("QUARTER_SITTING_HOURS", 3)
    min_meetings = _setting("QUARTER_SITTING_MIN", 3)
    out = []
    for branch_id, ms in by_branch.items():
        for q in range(4):
            months = {3 * q + 1, 3 * q + 2, 3 * q + 3}
            qs = sorted((m for m in ms if m["date"].month in months), key=lambda m: m["created_at"])
            if len(qs) < min_meetings:
                continue
            best: list[dict] = []
            j = 0
            for i in range(len(qs)):
                while (qs[i]["created_at"] - qs[j]["created_at"]).total_seconds() > hours * 3600:
                    j += 1
                if i - j + 1 > len(best):
                    best = qs[j : i + 1]
            spread = {m["date"].month for m in best}
            if len(best) < min_meetings or spread != months:
                continue
            if all(m["id"] in covered for m in best):
                continue  # already reported as a batch
            best.sort(key=lambda m: m["date"])
            t0 = timezone.localtime(min(m["created_at"] for m in best))
            out.append(
                Found(
                    kind=SignalKind.QUARTER_SITTING,
                    org_id=branch_id,
                    year=year,
                    strength=min(1.0, 0.4 + 0.1 * len(best)),
                    title=f"{year}年第{q + 1}季度的{len(best)}次会议在{t0:%m月%d日}一次录入",
                    explanation=(
                        f"这些会议分别在{best[0]['date']:%m月%d日}至{best[-1]['date']:%m月%d日}的三个月里召开，"
                        f"记录却都在{t0:%Y年%m月%d日 %H:%M}起的{hours}小时内录入。一次坐下来写完整个季度的记录，"
                        "往往是事后补写，请核对当时的签到表、照片等原始材料。"
                    ),
                    records=[_mref(m) for m in best],
                    state=[m["updated_at"] for m in best],
                )
            )
    return out


DETECTORS = [
    near_duplicate_text,
    identical_attendance,
    overlapping_presence,
    late_entry_patterns,
    mobile_full_attendance,
    same_photo,
    committee_quorum,
    short_minutes,
    dated_after_entry,
    unexpected_signin,
    signin_burst,
]


def now() -> datetime:
    return timezone.now()


__all__ = ["DETECTORS", "Found", "timedelta"]
