"""The busiest pages run the same number of queries at two data sizes (no N+1): the tiny demo,
then the same installation with more branches, members, meetings and attendance."""

from datetime import date, time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.pages import bench_user, page_urls


def _counts(client, urls) -> dict[str, int]:
    out = {}
    for label, url in urls:
        client.get(url)  # warm caches that are filled once
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url)
        assert r.status_code == 200, (label, url, r.status_code)
        out[label] = len(ctx.captured_queries)
    return out


def _grow(township) -> int:
    """A new branch with 40 members, and 20 meetings with full attendance in the biggest
    branch and the new one. Returns the number of rows added (to show the data did grow)."""
    from dangjian.meetings.models import Attendance, Kind, Meeting, MeetingKindLink
    from dangjian.members.models import Member
    from dangjian.orgs.models import Organization, OrgCategory, OrgType
    from dangjian.testsupport.world import make_member

    township = Organization.objects.get(pk=township.pk)
    branch = Organization.objects.add_child(Organization.objects.get(pk=township.pk), dict(
        name="中共基准测试新增支部委员会", short_name="新增支部", org_type=OrgType.BRANCH, category=OrgCategory.COMMUNITY,
        founded_on=date(2000, 7, 1),
    ))  # fmt: skip
    new_members = [make_member(branch, name=f"新增党员{i}") for i in range(40)]
    year = timezone.localdate().year
    added = len(new_members)
    biggest = Member.objects.filter(branch__path__startswith=township.path).values("branch").first()["branch"]
    for b_id, members in ((branch.pk, new_members), (biggest, list(Member.objects.filter(branch_id=biggest)))):
        for k in range(10):
            d = date(year, 1 + k, 10)
            m = Meeting.objects.create(
                org_id=b_id, branch_id=b_id, date=d, start_time=time(9), end_time=time(11), place="会议室",
                topic=f"基准测试会议{k}", minutes="会议内容" * 20,
            )  # fmt: skip
            MeetingKindLink.objects.create(meeting=m, kind=Kind.values[0], branch_id=b_id, date=d)
            Attendance.objects.bulk_create([Attendance(meeting=m, member=x) for x in members])
            added += 2 + len(members)
    return added


@pytest.mark.django_db
def test_busiest_pages_run_the_same_queries_at_two_data_sizes():
    call_command("load_demo", scale="tiny", password="Demo-pass-2023", stdout=StringIO())
    from dangjian.orgs.models import Organization, OrgType

    user = bench_user()
    root = Organization.objects.get_root_nodes().first()
    year = timezone.localdate().year
    client = Client()
    client.force_login(user)
    urls = page_urls(root, year)
    small = _counts(client, urls)

    township = Organization.objects.filter(org_type=OrgType.COMMITTEE).first()
    assert _grow(township) > 300
    large = _counts(client, urls)  # the same pages (same branch), now over more data
    assert large == small
    assert all(n > 0 for n in small.values())
