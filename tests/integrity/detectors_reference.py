"""The text and attendance detectors as they were before the scan was made to stream its
rows and keep only the texts (issue 16 item 6): the same signals must come out. The helpers
they call that did not change are imported from the module itself."""

# ruff: noqa: E501
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from dangjian.integrity.detectors import (
    Found,
    _both,
    _copied_sentences,
    _meetings,
    _mref,
    _place_names,
    _published_meta,
    _setting,
    published_documents,
)
from dangjian.integrity.models import SignalKind
from dangjian.integrity.textsim import (
    Doc,
    Roster,
    contained_in_published,
    find_near_duplicates,
    nfkc_texts,
    plain_canonical,
    shared_passages,
)


def text_documents(root, year) -> tuple[list[Doc], dict[str, dict]]:
    """Minutes, talk summaries and study reflections of the year, keyed "type:id"."""
    from dangjian.meetings.models import Talk

    docs: list[Doc] = []
    meta: dict[str, dict] = {}
    rows = _meetings(root, year).values(
        "id", "branch_id", "date", "topic", "place", "minutes", "decisions", "updated_at"
    )
    for m in rows.iterator(chunk_size=2_000):  # the year's texts are not also kept as rows
        text = f"{m['minutes']}{m['decisions']}"
        key = f"meeting:{m['id']}"
        docs.append(Doc(key, str(m["branch_id"]), text, exclude=m["topic"]))
        meta[key] = {
            **_mref(m),
            "org_id": m["branch_id"],
            "text": text,
            "state": m["updated_at"],
            "date": m["date"],
            "place": m["place"],
        }
    talks = Talk.objects.filter(branch__path__startswith=root.path, date__year=year).exclude(summary="")
    for t in talks.values("id", "branch_id", "date", "summary", "updated_at").iterator(chunk_size=2_000):
        key = f"talk:{t['id']}"
        docs.append(Doc(key, str(t["branch_id"]), t["summary"]))
        meta[key] = {
            "type": "talk",
            "id": t["id"],
            "label": f"{t['date']:%Y年%m月%d日} 谈心谈话",
            "org_id": t["branch_id"],
            "text": t["summary"],
            "state": t["updated_at"],
            "date": t["date"],
        }
    for key, entry in _study_reflections(root, year):
        docs.append(Doc(key, str(entry["org_id"]), entry["text"]))
        meta[key] = entry
    return docs, meta


def _study_reflections(root, year) -> Iterable[tuple[str, dict]]:
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
        .values("id", "member__branch_id", "member__name", "activity__date", "reflection")
    )
    return [
        (
            f"study:{r['id']}",
            {
                "type": "study",
                "id": r["id"],
                "label": f"{r['activity__date']:%Y年%m月%d日} {r['member__name']}的学习心得",
                "org_id": r["member__branch_id"],
                "text": r["reflection"],
                "state": r["reflection"],
                "date": r["activity__date"],
            },
        )
        for r in rows
    ]


def rosters(root, docs: list[Doc], meta: dict[str, dict]) -> dict[str, Roster]:
    """Per organization, the names a copier changes: its members, its own name and short
    name (the village or community), and the places its meetings were held."""
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization

    org_ids = {int(d.group) for d in docs}
    people: dict[int, set[str]] = defaultdict(set)
    for branch_id, name in Member.objects.filter(branch_id__in=org_ids).values_list("branch_id", "name"):
        people[branch_id].add(name)
    places: dict[int, set[str]] = defaultdict(set)
    for org_id, name, short in Organization.objects.filter(id__in=org_ids).values_list("id", "name", "short_name"):
        places[org_id].update(_place_names(name, short))
    for entry in meta.values():
        if entry.get("place"):
            places[entry["org_id"]].add(entry["place"])
    return {str(i): Roster(people[i], places[i]) for i in org_ids}


def near_duplicate_text(root, year) -> list[Found]:
    docs, meta = text_documents(root, year)
    threshold = _setting("NEAR_DUP_THRESHOLD", 0.5)
    containment = _setting("NEAR_DUP_CONTAINMENT", 0.6)
    by_org = rosters(root, docs, meta) if docs else {}
    out = []
    nfkc = nfkc_texts(docs)
    plain = plain_canonical(nfkc)  # shared by the folded reading and the published check
    near = find_near_duplicates(
        docs, threshold=threshold, containment=containment, rosters=by_org, nfkc=nfkc, plain=plain
    )
    for pair in near:
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
    out.extend(_copied_published(root, year, docs, meta, by_org, plain))
    return out


def _copied_published(root, year, docs, meta, by_org, plain=None) -> list[Found]:
    published = published_documents(root)
    if not published:
        return []
    share = _setting("PUBLISHED_CONTAINMENT", 0.5)
    pairs = contained_in_published(docs, published, containment=share, norms=plain)
    pub_meta = _published_meta({p.a for p in pairs})
    out = []
    for pair in pairs:
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
    for meeting_id, branch_id, member_id, status in rows.iterator(chunk_size=10_000):  # not 600,000 at once
        per_meeting[meeting_id].append((member_id, status))
        branch_of[meeting_id] = branch_id
        state_counts[(member_id, status)] += 1
        member_counts[member_id] += 1
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
