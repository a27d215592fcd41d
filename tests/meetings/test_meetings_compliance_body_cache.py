"""The compliance page's tables are rendered once per data version of the organisation shown
(views.compliance): a repeated view neither recomputes nor re-renders them, a committed write
under that organisation shows at once, and a write in another township leaves them cached.

Committed for real (transactional_db): the cache tokens move on commit."""

import re
from datetime import date, time

import pytest
from django.db.models import Q
from django.test import Client

from dangjian.core import clock
from dangjian.testsupport.world import add_township, make_member


def _meeting(branch, day):
    from dangjian.meetings.models import Kind, Meeting, MeetingKindLink

    m = Meeting.objects.create(
        org=branch, branch=branch, date=day, start_time=time(9), end_time=time(11), place="会议室",
        topic="缓存测试主题党日", minutes="会议内容" * 10,
    )  # fmt: skip
    MeetingKindLink.objects.create(meeting=m, kind=Kind.THEME_DAY, branch=branch, date=day)


def _page(response) -> str:
    """The page without its per-response CSRF token."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _figure(html: str, label: str) -> str:
    """The big figure of the card headed `label`."""
    card = html.split(f'<div class="text-muted">{label}</div>')[1]
    return card.split('<div class="figure-big')[1].split(">", 1)[1].split("<", 1)[0]


@pytest.fixture
def world(committed_world):
    return committed_world


def test_the_tables_are_served_from_the_cache_until_a_write_under_the_organisation(world, monkeypatch):
    from dangjian.meetings import views

    # Another township (added first: adding one changes the 区委's own row, which every
    # figure below it depends on).
    other, branch = add_township(world.district, "另一镇党委", "另一镇支部")
    today = clock.today()
    c = Client()
    c.force_login(world.user("admin"))
    url = f"/meetings/compliance/?year={today.year}&branch={world.township.pk}"
    first = _page(c.get(url))
    assert _figure(first, "会议次数") == "0"

    def must_not_run(*args, **kwargs):
        raise AssertionError("the cached tables were computed again")

    with monkeypatch.context() as m:
        m.setattr(views, "_compliance_tables", must_not_run)
        m.setattr(views.plan_selectors, "plan_progress", must_not_run)  # nor rendered again
        again = _page(c.get(url))
        # A write in the other township does not touch this township's tables.
        _meeting(branch, date(today.year, 1, 5))
        still = _page(c.get(url))
    assert again == first and still == first

    _meeting(world.branch_a, date(today.year, 1, 5))  # committed: the township's tokens move
    after = _page(c.get(url))
    assert _figure(after, "会议次数") == "1"
    assert f'data-branch="{world.branch_a.pk}"' in after


def test_the_chosen_organisation_and_kind_are_kept_apart(world):
    """Different keys for the township, a branch and a kind filter: never one page's tables
    on another's."""
    today = clock.today()
    _meeting(world.branch_a, date(today.year, 1, 5))
    c = Client()
    c.force_login(world.user("admin"))
    base = f"/meetings/compliance/?year={today.year}"
    township = c.get(f"{base}&branch={world.township.pk}").content.decode()
    branch_b = c.get(f"{base}&branch={world.branch_b.pk}").content.decode()
    lectures = c.get(f"{base}&branch={world.township.pk}&kind=party_lecture").content.decode()
    assert _figure(township, "会议次数") == "1"
    assert _figure(branch_b, "会议次数") == "0"
    assert 'id="branch-rows"' in branch_b and 'id="branch-rows"' not in township
    heat = lectures.split('id="heatmap"')[1].split("</table>")[0]
    assert ">1</a>" not in heat  # the 主题党日 is not a 党课
    assert ">1</a>" in township.split('id="heatmap"')[1].split("</table>")[0]


def test_a_write_in_one_township_recomputes_only_its_part_of_the_county(world, monkeypatch):
    """orgs.selectors.parts_of: the 区委's walks and roster are its townships', each cached under
    its own tokens; after a committed write in the second township the county's figures read
    the first township's from the cache."""
    from dangjian.meetings import selectors
    from dangjian.meetings.models import Attendance, Meeting
    from dangjian.members import selectors as member_selectors

    other, branch = add_township(world.district, "另一镇党委", "另一镇支部")
    newcomer = make_member(branch, name="新来")
    today = clock.today()
    day = clock.judged_at(today.year, today)
    walks, rosters = [], []
    real_walks, real_rows = selectors._walks, member_selectors._year_roster_rows
    monkeypatch.setattr(selectors, "_walks", lambda f, end, **kw: walks.append(f) or real_walks(f, end, **kw))
    monkeypatch.setattr(
        member_selectors, "_year_roster_rows", lambda qs, y, d, **kw: rosters.append(qs) or real_rows(qs, y, d, **kw)
    )
    before = selectors.attendance_walks(world.district, today)
    assert len(walks) == 2  # the 区委's own members, then both townships in one query
    roster = member_selectors.year_roster(world.district, today.year, day)
    assert len(rosters) == 2 and {r.id for r in roster} >= {newcomer.pk, *(m.pk for m in world.members_b)}
    walks.clear()
    rosters.clear()

    _meeting(branch, date(today.year, 1, 5))
    Attendance.objects.create(meeting=Meeting.objects.get(branch=branch), member=newcomer)
    after = selectors.attendance_walks(world.district, today)
    member_selectors.year_roster(world.district, today.year, day)
    assert walks == [Q(member__branch_id=world.district.pk), Q(member__branch__path__startswith=other.path)]
    assert len(rosters) == 2  # the 区委's own members and the second township: the first is cached
    assert newcomer.pk in after and newcomer.pk not in before
    assert {k: v for k, v in after.items() if k != newcomer.pk} == before
