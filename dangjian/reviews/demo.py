"""Demo: the 2023 民主评议党员 in most branches (one 不合格 under 限期改正), and 2023 ratings.

Runs after the township, meetings, dues, study and points steps (DEMO_STEPS). Deterministic;
bulk inserts. The deciding meeting of each branch is its last 2023 党员大会 or 支委会 from the
meetings demo; a branch without one keeps its appraisal open (as in real life).
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from dangjian.core.audit import log_bulk
from dangjian.demo.context import DemoContext
from dangjian.members.models import MemberKind
from dangjian.reviews.models import (
    Appraisal,
    AppraisalEntry,
    BallotTally,
    BranchRating,
    Disposal,
    DisposalStep,
    ManualScore,
    VoterFlag,
)
from dangjian.reviews.services import DECIDING_KINDS, default_template
from dangjian.rules.appraisal import DISPOSAL_STEPS, GRADES, correction_deadline

YEAR = 2023
BATCH = 2000
SELF_TEXTS = [
    "一年来认真学习党的理论，按时参加组织生活，按时足额交纳党费，积极参加社区志愿服务。不足是学习深度不够，今后加强。",
    "能够坚定理想信念，参加三会一课和主题党日，带头参与环境整治。存在的不足是联系群众不够经常，今后主动走访。",
    "本人外出务工期间通过线上方式参加学习，按时交纳党费。回乡后参加了支部活动。今后要加强与支部的联系。",
    "年内参加集中学习和党课，学习笔记完整。在疫情防控和防汛工作中主动值守。不足是发挥先锋模范作用还不够。",
]


DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def demo_document() -> str:
    """One small PDF under MEDIA_ROOT shared by the demo's evidence and documents (relative path)."""
    from pathlib import Path

    from django.conf import settings

    rel = "demo/演示佐证材料.pdf"
    full = Path(settings.MEDIA_ROOT) / rel
    full.parent.mkdir(parents=True, exist_ok=True)
    if not full.exists():
        full.write_bytes(DEMO_PDF)
    return rel


def _deciding_meetings(branch_ids: list[int]) -> dict[int, tuple[int, date]]:
    from dangjian.meetings.models import MeetingKindLink

    out: dict[int, tuple[int, date]] = {}
    rows = (
        MeetingKindLink.objects.filter(branch_id__in=branch_ids, kind__in=DECIDING_KINDS, date__year=YEAR)
        .order_by("branch_id", "date", "meeting_id")
        .values_list("branch_id", "meeting_id", "date")
    )
    for bid, mid, d in rows:
        out[bid] = (mid, d)  # the last one wins
    return out


def load(ctx: DemoContext) -> None:
    rng = ctx.rng_for("reviews")
    branches = list(ctx.branches)
    if not branches:
        return
    deciding = _deciding_meetings([b.pk for b in branches])
    admin = ctx.users.get("admin")
    doc = demo_document()
    aware = timezone.make_aware(datetime.combine(date(YEAR, 12, 20), time(10, 0)))

    # Roughly nine in ten branches completed; the rest stopped at an earlier step.
    appraisals = []
    for i, b in enumerate(branches):
        done = b.pk in deciding and (i % 10 != 7)
        step = Appraisal.Step.DONE if done else [Appraisal.Step.SELF, Appraisal.Step.VOTING][i % 2]
        appraisals.append(
            Appraisal(
                branch=b,
                year=YEAR,
                step=step,
                study_note="学习党章、《中国共产党支部工作条例（试行）》和主题教育材料，对照党员标准查摆问题。",
                study_on=date(YEAR, 11, 10),
                completed_on=deciding[b.pk][1] if done else None,
                opened_by=ctx.users.get(f"secretary:{b.pk}"),
            )
        )
    Appraisal.objects.bulk_create(appraisals, batch_size=BATCH)

    entries: list[AppraisalEntry] = []
    for a in appraisals:
        members = [
            m for m in ctx.members_by_branch.get(a.branch_id, []) if m.is_current and m.joined_on <= date(YEAR, 12, 31)
        ]
        full = [m for m in members if m.kind == MemberKind.FULL]
        cap = len(full) // 3
        n_excellent = 0
        for m in members:
            e = AppraisalEntry(
                appraisal=a,
                member=m,
                member_kind=m.kind,
                self_assessment=rng.choice(SELF_TEXTS) if rng.random() < 0.93 else "",
                self_by_member=rng.random() < 0.3,
                self_at=aware,
            )
            if a.step == Appraisal.Step.DONE and m.kind == MemberKind.FULL:
                r = rng.random()
                if r < 0.22 and n_excellent < cap:
                    e.grade = "优秀"
                    n_excellent += 1
                elif r > 0.975:
                    e.grade = "基本合格"
                else:
                    e.grade = "合格"
                e.decided_meeting_id = deciding[a.branch_id][0]
                e.graded_by = admin
                e.graded_at = aware
            entries.append(e)
    # The 不合格 cases sit in the first two completed branches (the generated scope test uses
    # the first branch and needs a case outside it too): the first is still under 限期改正,
    # the second corrected within its period.
    done_appraisals = [a for a in appraisals if a.step == Appraisal.Step.DONE][:2]
    failed = []
    for a in done_appraisals:
        e = next((x for x in reversed(entries) if x.appraisal is a and x.grade == "合格"), None)
        if e is not None:
            e.grade = "不合格"
            e.grade_note = "全年多次无故不参加组织生活，经谈话提醒仍未改正"
            failed.append(e)
    AppraisalEntry.objects.bulk_create(entries, batch_size=BATCH)

    # Paper ballots entered as counts (anonymous by nature); one branch also voted online.
    tallies: list[BallotTally] = []
    by_appraisal: dict[int, list[AppraisalEntry]] = {}
    for e in entries:
        by_appraisal.setdefault(e.appraisal_id, []).append(e)
    online_branch = appraisals[1] if len(appraisals) > 1 else appraisals[0]
    flags: list[VoterFlag] = []
    for a in appraisals:
        if a.step not in (Appraisal.Step.DONE, Appraisal.Step.VOTING):
            continue
        es = by_appraisal.get(a.pk, [])
        n_voters = sum(1 for e in es if e.member_kind == MemberKind.FULL)
        source = BallotTally.Source.ONLINE if a is online_branch else BallotTally.Source.PAPER
        for e in es:
            voters = max(0, n_voters - (1 if e.member_kind == MemberKind.FULL else 0))
            if e.grade == "不合格":
                n_ex, n_basic, n_fail = 0, int(voters * 0.3), int(voters * 0.5)
            else:
                share = 0.6 if e.grade == "优秀" else 0.15
                n_ex, n_basic, n_fail = (
                    int(voters * share * (0.8 + 0.4 * rng.random())),
                    int(voters * 0.04 * rng.random()),
                    0,
                )
            n_ok = max(0, voters - n_ex - n_basic - n_fail)
            for g, n in zip(GRADES, (n_ex, n_ok, n_basic, n_fail)):
                tallies.append(BallotTally(entry=e, source=source, grade=g, count=max(0, n)))
        if a is online_branch:
            flags.extend(VoterFlag(appraisal=a, voter_id=e.member_id) for e in es if e.member_kind == MemberKind.FULL)
    BallotTally.objects.bulk_create(tallies, batch_size=BATCH)
    VoterFlag.objects.bulk_create(flags, batch_size=BATCH)

    # The one 不合格 case: 限期改正 (6 months), the first steps done, the rest pending.
    disposals = []
    for n, entry in enumerate(failed):
        start = date(YEAR + 1, 1, 8)
        corrected = n == 1
        d = Disposal.objects.create(
            entry=entry,
            measure="限期改正",
            started_on=start,
            correction_months=6,
            deadline=correction_deadline(start, 6),
            reason="2023年度民主评议组织评定为不合格：全年无故不参加组织生活7次。",
            status=Disposal.Status.CORRECTED if corrected else Disposal.Status.OPEN,
            decided_on=date(YEAR + 1, 7, 9) if corrected else None,
            decision="限期内按时参加组织生活、交纳党费，经党员大会认定已改正" if corrected else "",
            created_by=admin,
        )
        steps = []
        for i, name in enumerate(DISPOSAL_STEPS, start=1):
            done = corrected or i <= 3
            steps.append(
                DisposalStep(
                    disposal=d,
                    order=i,
                    name=name,
                    due_on=date.fromordinal(start.toordinal() + 14 * i),
                    done_on=date.fromordinal(start.toordinal() + 10 * i) if done else None,
                    decision=f"{name}：已办理" if done else "",
                    recorded_by=admin if done else None,
                    document=doc if done else "",
                    document_name="处置文书.pdf" if done else "",
                )
            )
        DisposalStep.objects.bulk_create(steps)
        disposals.append(d)

    # Ratings: the township's 五好党支部 template; every branch with a finished appraisal rated.
    ratings: list[BranchRating] = []
    scores: list[ManualScore] = []
    for town in ctx.townships:
        tpl = default_template(org=town)
        manual = [c for c in tpl.criteria.all() if c.manual]
        town_branches = [b for b in branches if b.path.startswith(town.path)]
        for j, b in enumerate(town_branches):
            ratings.append(BranchRating(template=tpl, branch=b, year=YEAR, is_model=(j % 9 == 1), rated_by=admin))
        BranchRating.objects.bulk_create(ratings[-len(town_branches) :] if town_branches else [], batch_size=BATCH)
        for r in ratings[-len(town_branches) :] if town_branches else []:
            base = 92 if r.is_model else rng.randint(62, 90)
            for c in manual:
                scores.append(
                    ManualScore(
                        rating=r,
                        criterion=c,
                        score=min(100, max(40, base + rng.randint(-6, 6))),
                        evidence="查阅台账、走访群众、听取汇报"
                        if not r.is_model
                        else "示范点现场观摩，群众满意度测评优秀",
                        document=doc,
                    )
                )
    ManualScore.objects.bulk_create(scores, batch_size=BATCH)

    n = log_bulk(appraisals, note="演示数据") + log_bulk(entries, note="演示数据") + log_bulk(ratings, note="演示数据")
    ctx.say(
        f"民主评议 {len(appraisals)} 个支部（完成 {sum(a.step == Appraisal.Step.DONE for a in appraisals)} 个）、"
        f"评议党员 {len(entries):,} 人、处置 {len(disposals)} 件、评星 {len(ratings)} 个支部；审计 {n:,} 条"
    )
