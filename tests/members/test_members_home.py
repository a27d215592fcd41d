"""我的首页 tiles and 大字模式 (issue 17)."""

from datetime import time

from django.urls import reverse
from django.utils import timezone

from dangjian.meetings import notices
from dangjian.meetings.models import Kind


def test_member_lands_on_tiles_with_next_meeting_and_sign_in(world, client_for):
    today = timezone.localdate()
    n = notices.publish_notice(
        user=world.user("secretary_a"),
        data=notices.NoticeInput(
            org=world.branch_a,
            kinds=[Kind.THEME_DAY],
            date=today,
            start_time=time(0, 0),
            end_time=time(23, 59),
            place="党群服务中心",
            topic="主题党日活动",
        ),
    )
    c = client_for("member_a")
    r = c.get("/", follow=True)
    assert r.redirect_chain[-1][0] == reverse("members:home")
    html = r.content.decode()
    for tile in ("tile-dues", "tile-meeting", "tile-points", "tile-study", "tile-todo"):
        assert f'id="{tile}"' in html
    assert "主题党日活动" in html and reverse("meetings:notice_signin", args=[n.pk]) in html
    for name in ("dues:mine", "points:mine", "study:mine", "meetings:mine"):
        assert reverse(name) in html


def test_large_print_is_turned_on_by_the_member_or_the_secretary(world, client_for):
    c = client_for("member_a")
    assert 'class="large-print"' not in c.get(reverse("members:home")).content.decode()
    c.post(reverse("members:large_print"), {"on": "1"})
    assert 'class="large-print"' in c.get(reverse("members:home")).content.decode()
    c.post(reverse("members:large_print"), {"on": "0"})
    assert not world.user("member_a").__class__.objects.get(pk=world.user("member_a").pk).large_print
    sec = client_for("secretary_a")
    r = sec.post(reverse("members:large_print"), {"on": "1", "member": world.members_a[3].pk})
    assert r.status_code == 302
    assert 'class="large-print"' in c.get(reverse("members:home")).content.decode()
    # another branch's secretary cannot
    assert client_for("secretary_b").post(
        reverse("members:large_print"), {"on": "0", "member": world.members_a[3].pk}
    ).status_code in (403, 404)
