"""A small, complete world for tests: one 区委 → 镇党委 → two branches (A, B), each with
a 党小组 and members, and one account per role. Used by tests/conftest.py."""

from __future__ import annotations

import itertools
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.members.models import Education, Member, MemberKind, Sex
from dangjian.orgs.models import AdminUnit, Organization, OrgCategory, OrgType, Post
from dangjian.rules.idcard import make_id

_seq = itertools.count(1)


def make_member(branch, *, name=None, kind=MemberKind.FULL, birth=date(1980, 5, 1), sex=Sex.MALE, **extra) -> Member:
    n = next(_seq)
    seq3 = (n * 2 + (1 if sex == Sex.MALE else 0)) % 1000
    joined = extra.pop("joined_on", date(2010, 7, 1))
    full_on = extra.pop("full_on", date(joined.year + 1, joined.month, joined.day) if kind == MemberKind.FULL else None)
    m = Member(
        name=name or f"测试党员{n}",
        sex=sex,
        birth_date=birth,
        education=extra.pop("education", Education.HIGH_SCHOOL),
        kind=kind,
        branch=branch,
        joined_on=joined,
        full_on=full_on,
        **extra,
    )
    m.set_id_number(make_id("620102", birth, seq3))
    m.set_phone(f"138{n:08d}")
    m.save()
    return m


def within_today(now, start, end) -> tuple:
    """(start, end) as times of `now`'s day, whole minutes, cut at midnight: a sign-in window
    around now that does not wrap into the next day when a test runs just before midnight."""
    first = now.replace(hour=0, minute=0, second=0, microsecond=0)
    last = now.replace(hour=23, minute=59, second=59, microsecond=0)
    start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
    return max(start, first).time(), min(end, last).time()


def add_township(district, name: str, branch_name: str) -> tuple[Organization, Organization]:
    """Another 镇党委 under `district` with one village 党支部: (township, branch). A county's
    figures are composed of its townships' (orgs.selectors.parts_of), so tests need two."""
    township = Organization.objects.add_child(
        Organization.objects.get(pk=district.pk),
        dict(name=name, org_type=OrgType.COMMITTEE, category=OrgCategory.ORGAN),
    )
    branch = Organization.objects.add_child(
        Organization.objects.get(pk=township.pk),
        dict(name=branch_name, org_type=OrgType.BRANCH, category=OrgCategory.VILLAGE),
    )
    return Organization.objects.get(pk=township.pk), branch


def make_user(username, role, *, org=None, member=None, password="Test-pass-2023") -> User:
    u = User(username=username, role=role, org=org, member=member, full_name=username)
    u.set_password(password)
    u.save()
    return u


@dataclass
class World:
    district: Organization
    township: Organization
    branch_a: Organization
    branch_b: Organization
    group_a: Organization
    community: AdminUnit
    members_a: list = field(default_factory=list)
    members_b: list = field(default_factory=list)
    users: dict = field(default_factory=dict)

    def user(self, key: str) -> User:
        return self.users[key]


def build_world() -> World:
    district = Organization.objects.add_root(dict(name="测试区委", org_type=OrgType.HIGHER, category=OrgCategory.ORGAN))
    township = Organization.objects.add_child(
        district, dict(name="测试镇党委", org_type=OrgType.COMMITTEE, category=OrgCategory.ORGAN)
    )
    community = AdminUnit.objects.create(township=township, name="东街社区", kind=AdminUnit.Kind.COMMUNITY)
    branch_a = Organization.objects.add_child(
        township,
        dict(
            name="东街社区党支部",
            short_name="东街",
            org_type=OrgType.BRANCH,
            category=OrgCategory.COMMUNITY,
            unit=community,
        ),
    )
    branch_b = Organization.objects.add_child(
        township,
        dict(name="西街社区党支部", short_name="西街", org_type=OrgType.BRANCH, category=OrgCategory.COMMUNITY),
    )
    group_a = Organization.objects.add_child(
        branch_a, dict(name="东街第一党小组", org_type=OrgType.GROUP, category=OrgCategory.COMMUNITY)
    )
    w = World(district, township, branch_a, branch_b, group_a, community)
    names_a = ["张三", "李四", "王五", "赵六", "孙七"]
    names_b = ["周八", "吴九", "郑十", "钱一", "冯二"]
    for i, name in enumerate(names_a):
        kind = MemberKind.PROBATIONARY if i == 4 else MemberKind.FULL
        extra = {"joined_on": date(2023, 3, 1)} if kind == MemberKind.PROBATIONARY else {}
        w.members_a.append(make_member(branch_a, name=name, kind=kind, group=group_a if i < 3 else None, **extra))
    for i, name in enumerate(names_b):
        kind = MemberKind.PROBATIONARY if i == 4 else MemberKind.FULL
        extra = {"joined_on": date(2023, 3, 1)} if kind == MemberKind.PROBATIONARY else {}
        w.members_b.append(make_member(branch_b, name=name, kind=kind, **extra))
    for branch, members in ((branch_a, w.members_a), (branch_b, w.members_b)):
        Post.objects.create(org=branch, member=members[0], kind=Post.Kind.SECRETARY, started_on=date(2021, 1, 1))
        Post.objects.create(org=branch, member=members[1], kind=Post.Kind.ORGANIZATION, started_on=date(2021, 1, 1))
        Post.objects.create(org=branch, member=members[2], kind=Post.Kind.PROPAGANDA, started_on=date(2021, 1, 1))
    w.users = {
        "admin": make_user("admin", Role.ADMIN, org=township),
        "inspector": make_user("inspector", Role.INSPECTOR, org=township),
        "secretary_a": make_user("sec_a", Role.SECRETARY, org=branch_a, member=w.members_a[0]),
        "committee_a": make_user("com_a", Role.COMMITTEE, org=branch_a, member=w.members_a[1]),
        "member_a": make_user("mem_a", Role.MEMBER, member=w.members_a[3]),
        "secretary_b": make_user("sec_b", Role.SECRETARY, org=branch_b, member=w.members_b[0]),
        "member_b": make_user("mem_b", Role.MEMBER, member=w.members_b[3]),
    }
    return w


IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip locally with a clear reason; in CI (CI=true) the missing piece is a failure."""
    import pytest

    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI requires this test: {reason}")
    pytest.skip(reason)


def chromium_path() -> str | None:
    import os
    import shutil

    for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(p):
            return p
    return shutil.which("chromium")


def approved_manual_point(member, proposer, approver, day: date):
    """A 手工积分 item proposed by `proposer` and approved by `approver`, each through auditlog's
    signals under their own name (tests that read the audit log's words need both entries)."""
    from django.utils import timezone

    from dangjian.core.audit import acting_as
    from dangjian.points.models import ManualPoint

    with acting_as(proposer):
        mp = ManualPoint.objects.create(
            member=member,
            year=day.year,
            code="volunteer",
            date=day,
            description="参加志愿服务",
            evidence="活动签到表",
            proposed_by=proposer,
        )
    with acting_as(approver):
        mp.status = ManualPoint.Status.APPROVED
        mp.decided_by = approver
        mp.decided_at = timezone.now()
        mp.save()
    return mp


@contextmanager
def module_data(django_db_blocker):
    """For a module-scoped fixture: what is built inside stays for the module's tests, in one
    transaction rolled back after the last of them (each test's own `db` nests inside it)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def tiny_demo(steps: int, *, today: date | None = None):
    """The tiny demo (seed 20230201) loaded through its first `steps` generator steps."""
    from dangjian.demo.context import DEMO_STEPS, DemoContext, start_for
    from dangjian.demo.steps import steps as demo_steps

    extra = {"today": today} if today else {}
    ctx = DemoContext(scale="tiny", seed=20230201, password="Demo-pass-2023", **extra)
    ctx.start = start_for("tiny", ctx.today)
    for _name, load in demo_steps(DEMO_STEPS[:steps]):
        load(ctx)
    return ctx
