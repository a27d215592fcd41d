"""A handful of planted integrity cases in 2023, labelled in their explanation only by what
the scan finds, so the review queue has something real to show on first start.

Planted (and only here — the honest demo records are never copied from each other):
- minutes of one branch copied, lightly edited, into another branch's meeting;
- a 谈心谈话 summary copied into another talk;
- the same photo (and a re-saved JPEG of it) attached to meetings of different branches;
- one branch's 2023 meetings entered in one batch in December;
- a 支委会 recorded with most of the committee absent.
Then the scan runs for 2023 so the queue is live.
"""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime, time
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from dangjian.demo.context import DemoContext

YEAR = 2023


def load(ctx: DemoContext) -> None:
    from django.db.models.functions import Length

    from dangjian.meetings.models import Attendance, Kind, Meeting, Talk

    rng = ctx.rng_for("integrity")
    township = ctx.township
    branches = [b for b in ctx.branches if b.path.startswith(township.path)]
    if len(branches) < 4:
        return
    meetings = Meeting.objects.filter(branch__in=branches, date__year=YEAR)
    pick = rng.sample(branches, 4)

    # 1. Copied minutes (another branch, light edits: names and a date changed, sentences kept).
    # The source is the branch's fullest minutes of the year, so the copy is long enough to be
    # judged whatever the other demo steps wrote (a two-line 支委会 record is not a copy case).
    src = (
        meetings.filter(branch=pick[0])
        .exclude(minutes="")
        .annotate(n=Length("minutes"))
        .order_by("-n", "date", "id")
        .first()
    )
    dst = meetings.filter(branch=pick[1]).exclude(pk=src.pk if src else None).order_by("-date").first()
    if src and dst:
        text = src.minutes.replace(pick[0].short_name or pick[0].name, pick[1].short_name or pick[1].name)
        sentences = [s for s in text.split("。") if s]
        if len(sentences) > 3:
            sentences[1], sentences[2] = sentences[2], sentences[1]
        Meeting.objects.filter(pk=dst.pk).update(minutes="。".join(sentences) + "。", decisions=src.decisions)

    # 2. A copied talk summary.
    talks = list(Talk.objects.filter(branch__in=pick[2:4], date__year=YEAR).exclude(summary="").order_by("id")[:2])
    if len(talks) == 2:
        original = (
            f"{talks[0].summary}谈话中对方说起家里樱桃今年挂果少，收购价压得低，孩子在兰州打工很少回来，"
            "自己腿脚不便参加支部活动有困难。支部书记答应帮忙联系合作社收购，并约定每月上门送学一次，"
            "把主题党日的学习材料带给他，也请他对支部工作多提意见。"
        )
        copied = original.replace("兰州", "天水").replace("支部书记", "组织委员") + "谈话双方表示今后加强沟通。"
        Talk.objects.filter(pk=talks[0].pk).update(summary=original)
        Talk.objects.filter(pk=talks[1].pk).update(summary=copied)

    # 3. The same photo on meetings of different branches, plus a re-saved JPEG copy.
    _plant_photos(rng, [meetings.filter(branch=b).order_by("date").first() for b in pick[:3]])

    # 4. One branch entered its whole 2023 in December.
    batch_branch = pick[3]
    stamp = timezone.make_aware(datetime(YEAR, 12, 27, 16, 5))
    ids = list(meetings.filter(branch=batch_branch, date__lt=date(YEAR, 11, 1)).values_list("id", flat=True))
    Meeting.objects.filter(id__in=ids).update(
        created_at=stamp, updated_at=stamp, is_late=True, late_reason="年底集中整理补录"
    )

    # 5. A 支委会 where most of the committee was absent.
    committee = meetings.filter(branch=pick[2], kind_links__kind=Kind.COMMITTEE_MEETING).order_by("date").first()
    if committee:
        rows = list(Attendance.objects.filter(meeting=committee).order_by("id"))
        if len(rows) >= 3:
            for a in rows[: len(rows) // 2 + 1]:
                a.status = Attendance.Status.ABSENT
            Attendance.objects.bulk_update(rows, ["status"])

    from dangjian.integrity.services import run_scan

    for root in ctx.townships[:1]:
        run_scan(root=root, year=YEAR, progress=ctx.say)


def _plant_photos(rng, targets) -> None:
    import imagehash
    from PIL import Image, ImageDraw

    from dangjian.meetings.models import Attachment

    targets = [m for m in targets if m is not None]
    if len(targets) < 3:
        return
    img = Image.new("RGB", (320, 240), (200, 40, 40))
    draw = ImageDraw.Draw(img)
    for i in range(12):
        x, y = rng.randint(0, 280), rng.randint(0, 200)
        draw.ellipse([x, y, x + 40, y + 40], fill=(255, 220 - i * 10, 0))
    png, jpg = io.BytesIO(), io.BytesIO()
    img.save(png, format="PNG")
    img.save(jpg, format="JPEG", quality=70)  # "re-saved" copy: different bytes, same picture
    rows = []
    for meeting, data, ext, ctype in (
        (targets[0], png.getvalue(), "png", "image/png"),
        (targets[1], png.getvalue(), "png", "image/png"),
        (targets[2], jpg.getvalue(), "jpg", "image/jpeg"),
    ):
        rel = f"meetings/demo/{meeting.date:%Y/%m}/m{meeting.pk}-photo.{ext}"
        dest = Path(settings.MEDIA_ROOT) / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        rows.append(
            Attachment(
                meeting=meeting,
                path=rel,
                name=f"活动现场.{ext}",
                content_type=ctype,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                phash=str(imagehash.phash(Image.open(io.BytesIO(data)))),
            )
        )
    Attachment.objects.bulk_create(rows)


__all__ = ["load", "time"]
