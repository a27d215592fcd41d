from datetime import date

import pytest

from dangjian.demo.context import DemoContext
from dangjian.meetings import demo
from dangjian.meetings.models import Attachment, Attendance, KindRequirement, Meeting, MeetingKindLink, Talk


def ctx_from_world(world, today=date(2024, 3, 15)):
    ctx = DemoContext(scale="tiny", today=today)
    ctx.district = world.district
    ctx.townships = [world.township]
    ctx.branches = [world.branch_a, world.branch_b]
    ctx.groups = [world.group_a]
    ctx.members_by_branch = {world.branch_a.id: world.members_a, world.branch_b.id: world.members_b}
    ctx.committee_by_branch = {world.branch_a.id: world.members_a[:3], world.branch_b.id: world.members_b[:3]}
    ctx.secretary_by_branch = {world.branch_a.id: world.members_a[0], world.branch_b.id: world.members_b[0]}
    ctx.users = {f"secretary:{world.branch_a.id}": world.user("secretary_a")}
    return ctx


@pytest.mark.django_db
def test_demo_covers_every_model_and_stops_before_today(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    demo.load(ctx_from_world(world))
    for model in (Meeting, MeetingKindLink, Attendance, Attachment, Talk, KindRequirement):
        assert model.objects.exists(), model
    assert not Meeting.objects.filter(date__gte=date(2024, 3, 15)).exists()
    # about 40 meetings a year for a branch with one 党小组 (12 支委会 + 12 主题党日 + 12 党小组会 + 1)
    n2023 = Meeting.objects.filter(branch=world.branch_a, date__year=2023).count()
    assert 25 <= n2023 <= 45
    # stored files exist and match their hash
    att = Attachment.objects.first()
    import hashlib

    assert hashlib.sha256((tmp_path / att.path).read_bytes()).hexdigest() == att.sha256
    # minutes are varied: no two meetings share the same text
    texts = list(Meeting.objects.values_list("minutes", flat=True))
    assert len(set(texts)) == len(texts)
    # late entries carry a reason; created_at is the realistic one
    for m in Meeting.objects.filter(is_late=True):
        assert m.late_reason
        assert (m.created_at.date() - m.date).days > 7
