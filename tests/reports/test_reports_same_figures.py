"""The county report's figures were made faster without changing them (issue 16): the dues
grid shares its month dates and amounts, 学时 are summed in the database, the document's table
rows are written as XML and the collector is paused. The former code of each figure is kept
here verbatim and compared on the tiny demo (every app's demo step), and the demo's report is
compared with the document recorded before the change (tests/reports/golden/): a changed
figure anywhere in the report fails here.

When a report's wording or the demo changes on purpose, rewrite the golden file:
    UPDATE_GOLDEN=1 pytest tests/reports/test_reports_same_figures.py
and read its diff: every changed line must be one you meant to change."""

import io
import os
import zipfile
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from dangjian.dues.grid import MemberDues, _transfer_starts, dues_grid, members_for
from dangjian.dues.months import add_months, month_of
from dangjian.testsupport.world import module_data, tiny_demo

TODAY = date(2026, 11, 29)
GOLDEN = Path(__file__).parent / "golden" / "tiny_demo_report.txt"
ZERO = Decimal("0.00")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from dangjian.demo.context import DEMO_STEPS

    with module_data(django_db_blocker):
        yield tiny_demo(len(DEMO_STEPS), today=TODAY)


def former_dues_grid(members: QuerySet, *, until: date, since: date | None = None) -> dict[int, MemberDues]:
    """dangjian.dues.grid.dues_grid before the shared month dates and amounts."""
    from django.db.models import DecimalField, Value

    from dangjian.dues.models import DuesBase, HostPaidMonth, PaidMonth, Reduction
    from dangjian.members.models import MemberEvent, Standing
    from dangjian.members.selectors import suspended_through, suspension_periods
    from dangjian.rules.dues import amount_in_month
    from dangjian.rules.membership import SUSPENDED_COUNTED_IN_FIGURES

    ever_stopped = Q(standing=Standing.SUSPENDED) | Q(
        Exists(MemberEvent.objects.filter(member=OuterRef("pk"), kind=MemberEvent.Kind.SUSPENDED))
    )
    rows = list(
        members.annotate(stopped=ExpressionWrapper(ever_stopped, output_field=BooleanField()))
        .values_list("id", "name", "branch_id", "phone_mask", "joined_on", "is_current", "left_on", "stopped")
        .order_by("branch_id", "name_pinyin", "id")
    )
    # 停止党籍 months are not due: one more query, only when someone was ever stopped.
    stopped_ids = [r[0] for r in rows if r[-1]]
    stopped = suspension_periods(stopped_ids) if stopped_ids and not SUSPENDED_COUNTED_IN_FIGURES else {}
    grid: dict[int, MemberDues] = {}
    span: dict[int, tuple[date, date | None]] = {}
    ids = members.values("id")
    starts = _transfer_starts(ids)
    for mid, name, branch_id, phone, joined, current, left, _stopped in rows:
        grid[mid] = MemberDues(mid, name, branch_id, phone or "", bool(current))
        start = max(month_of(joined), starts.get(mid, month_of(joined)))
        grid[mid].start = start
        span[mid] = (start, None if current or not left else month_of(left))
    first_year = since.year if since else 1900
    bases = DuesBase.objects.filter(member__in=ids, year__gte=first_year, year__lte=until.year).values_list(
        "member_id", "year", "amount", "category", "changes__from_month", "changes__amount", "changes__category"
    )
    reductions: dict[tuple[int, int], list] = defaultdict(list)
    for mid, year, f, t, amt in Reduction.objects.filter(
        member__in=ids, year__gte=first_year, year__lte=until.year
    ).values_list("member_id", "year", "from_month", "to_month", "monthly_amount"):
        reductions[(mid, year)].append((f, t, amt))
    yearly: dict[tuple[int, int], tuple[Decimal, str, list[tuple[int, Decimal]]]] = {}
    for mid, year, amount, category, from_month, changed, changed_category in bases.order_by(
        "year", "changes__from_month"
    ):
        entry = yearly.setdefault((mid, year), (amount, category, []))
        if from_month is not None:
            entry[2].append((from_month, changed))
            yearly[(mid, year)] = (entry[0], changed_category, entry[2])  # the latest category shows
    for (mid, year), (amount, category, changes) in yearly.items():
        md = grid.get(mid)
        if md is None:
            continue
        md.category, md.monthly = category, amount_in_month(12, amount, changes)
        md.based_years.add(year)
        joined, left = span[mid]
        for month in range(1, 13):
            m = date(year, month, 1)
            if m > until or m < joined or (left and m > left) or (since and m < since):
                continue
            if mid in stopped and suspended_through(stopped[mid], m, add_months(m, 1) - timedelta(days=1)):
                continue
            a = amount_in_month(month, amount, changes)
            for f, t, red in reductions.get((mid, year), ()):
                if f <= month <= t:
                    a = red
            if a > 0:
                md.due[m] = a
    paid = PaidMonth.objects.filter(member__in=ids).annotate(host=Value(False, output_field=BooleanField()))
    host = HostPaidMonth.objects.filter(member__in=ids).annotate(
        amount=Value(ZERO, output_field=DecimalField(max_digits=9, decimal_places=2)),
        on_time=Value(True, output_field=BooleanField()),
        host=Value(True, output_field=BooleanField()),
    )
    if since:
        paid, host = paid.filter(month__gte=since), host.filter(month__gte=since)
    fields = ("member_id", "month", "amount", "on_time", "host")
    for mid, m, amount, on_time, at_host in paid.values_list(*fields).union(host.values_list(*fields), all=True):
        md = grid.get(mid)
        if md is None:
            continue
        if at_host:
            md.host_paid.add(m)
            md.due.pop(m, None)  # paid at the 流入地: not owed to this branch
            continue
        md.paid[m] = amount
        if on_time:
            md.on_time.add(m)
    return grid


def _plain(grid: dict[int, MemberDues]) -> dict:
    return {
        mid: (
            md.name, md.branch_id, md.phone_mask, md.is_current, md.category, str(md.monthly), md.start,
            sorted((m, str(a)) for m, a in md.due.items()), sorted((m, str(a)) for m, a in md.paid.items()),
            sorted(md.on_time), sorted(md.based_years), sorted(md.host_paid),
        )
        for mid, md in grid.items()
    }  # fmt: skip


def test_the_dues_grid_is_the_former_one(demo, db):
    root = demo.township
    months = [date(TODAY.year - 1, 1, 1), date(TODAY.year, 3, 1), date(TODAY.year, 10, 1)]
    for until in months:
        for since in (None, date(until.year, 1, 1), until):
            for members in (members_for(root, include_suspended=True), members_for(root).filter(is_current=True)):
                mine = dues_grid(members, until=until, since=since)
                theirs = former_dues_grid(members, until=until, since=since)
                assert _plain(mine) == _plain(theirs), (until, since)
    assert any(md.due for md in mine.values()) and any(md.paid for md in mine.values())


def test_member_hours_are_the_records_and_every_lecture_attended(demo, db):
    from dangjian.meetings.models import Attendance, Kind
    from dangjian.rules.study import CONCENTRATED_KINDS
    from dangjian.study.models import StudyRecord
    from dangjian.study.selectors import meeting_hours, member_hours

    for root in (demo.township, *demo.branches[:3]):
        for year in (TODAY.year - 1, TODAY.year):
            hours: dict[int, Decimal] = defaultdict(lambda: Decimal("0"))
            rows = StudyRecord.objects.filter(
                member__branch__path__startswith=root.path,
                activity__date__year=year,
                activity__kind__in=CONCENTRATED_KINDS,
            )
            for mid, h in rows.values_list("member_id", "hours"):
                hours[mid] += h
            for a in Attendance.objects.filter(
                member__branch__path__startswith=root.path, meeting__date__year=year
            ).select_related("meeting"):
                lecture = a.meeting.kind_links.filter(kind=Kind.PARTY_LECTURE).exists()
                if lecture and (a.status == Attendance.Status.PRESENT or a.attended_elsewhere):
                    hours[a.member_id] += meeting_hours(a.meeting.start_time, a.meeting.end_time)
            mine = member_hours.uncached(root, year)
            assert {k: str(v) for k, v in mine.items()} == {k: str(v) for k, v in hours.items()}, (root, year)
    assert any(mine.values())


def _recorded(report) -> str:
    """The report's text and every table behind it, one line each."""
    lines = [b.kind + "\t" + b.text for b in report.blocks]
    for name, headers, rows in report.tables:
        lines.append(f"== {name}: " + "\t".join(headers))
        lines.extend("\t".join("" if v is None else str(v) for v in row) for row in rows)
    return "\n".join(lines) + "\n"


def test_the_demo_report_is_the_recorded_one(demo, db):
    from dangjian.reports.official_doc import docx_bytes
    from dangjian.reports.survey import build_report

    report = build_report(demo.township, TODAY.year, today=TODAY)
    text = _recorded(report)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    # The document carries the same figures: every block's text, in order.
    with zipfile.ZipFile(io.BytesIO(docx_bytes(report))) as z:
        xml = z.read("word/document.xml").decode()
    at = 0
    for b in report.blocks:
        found = xml.find(b.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), at)
        assert found >= 0, b.text
        at = found
