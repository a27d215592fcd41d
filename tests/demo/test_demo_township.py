"""The foundation demo step (dangjian.demo.township): report figures, determinism, validity."""

import hashlib
import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.demo import township
from dangjian.demo.context import DemoContext
from dangjian.members.models import Member, MemberEvent, MemberKind
from dangjian.orgs.models import AdminUnit, Organization, OrgType, Post, Term, UnitYearFigure
from dangjian.rules.idcard import birth_date_from_id, sex_from_id, validate_id
from dangjian.rules.membership import validate_member_dates
from dangjian.rules.terms import renewal_status

TODAY = date(2026, 11, 29)


def _load(scale="tiny", seed=20230201):
    ctx = DemoContext(scale=scale, seed=seed, today=TODAY, password="Demo-pass-2023")
    township.load(ctx)
    return ctx


def _wipe():
    User.objects.all().delete()
    Post.objects.all().delete()
    Term.objects.all().delete()
    MemberEvent.objects.all().delete()
    Member.objects.all().delete()
    UnitYearFigure.objects.all().delete()
    Organization.objects.update(unit=None)
    AdminUnit.objects.all().delete()
    Organization.objects.all().delete()


def _digest() -> str:
    rows = Member.objects.order_by("branch__path", "name_pinyin", "id_number_hash").values_list(
        "name", "id_number_hash", "joined_on", "full_on", "birth_date", "branch__path", "group__path", "kind"
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


@pytest.mark.django_db
def test_load_demo_then_overview_json_gives_the_reports_figures(monkeypatch):
    # Only the foundation step: the other apps' steps are tested by their owners.
    monkeypatch.setattr(
        "dangjian.demo.management.commands.load_demo.DEMO_STEPS", ["dangjian.demo.township"], raising=True
    )
    call_command("load_demo", scale="township", password="Demo-pass-2023", stdout=StringIO())
    out = StringIO()
    call_command("overview", json=True, stdout=out)
    o = json.loads(out.getvalue())
    assert o["communities"] == 17
    assert o["resident_groups"] == 106
    assert o["population_year"] == 2022
    assert (o["households_registered"], o["people_registered"]) == (20669, 72341)
    assert (o["households_resident"], o["people_resident"]) == (28441, 99544)
    assert o["branches"] == 40
    assert o["branches_by_category"] == {"机关": 1, "社区": 39}
    assert o["members"]["total"] == 1494
    # plausible structure (TOWNSHIP.md / the brief): ranges, not exact values
    m = o["members"]
    assert 0.03 * 1494 <= m["probationary"] <= 0.05 * 1494
    assert 0.08 * 1494 <= m["mobile"] <= 0.12 * 1494
    assert 0.20 * 1494 <= m["women"] <= 0.30 * 1494
    assert 1 <= m["minorities"] <= 60
    assert 1 <= m["lost"] <= 5
    assert o["age_bands"]["61岁及以上"] > o["age_bands"]["30岁及以下"] * 3


@pytest.mark.django_db
def test_township_scale_structure():
    ctx = _load("township")
    communities = AdminUnit.objects.filter(kind=AdminUnit.Kind.COMMUNITY)
    assert communities.count() == 17
    # every resident group hangs under a community; 2021 figures are slightly smaller
    assert AdminUnit.objects.filter(kind=AdminUnit.Kind.GROUP, parent__kind=AdminUnit.Kind.COMMUNITY).count() == 106
    assert not UnitYearFigure.objects.filter(year__gt=2022).exists()
    f21 = UnitYearFigure.objects.filter(year=2021)
    assert f21.count() == 106
    assert sum(f21.values_list("people_resident", flat=True)) < 99544
    # 40 branches, each linked to the unit it serves; communities with 1–3 branches
    assert len(ctx.branches) == 40
    per_community = {c.pk: c.branches.count() for c in communities}
    assert sum(per_community.values()) == 39
    assert set(per_community.values()) <= {1, 2, 3} and max(per_community.values()) >= 2
    organ = [b for b in ctx.branches if b.category == "机关"]
    assert len(organ) == 1 and organ[0].unit.kind == AdminUnit.Kind.ORGAN
    # sizes ~15–60; 党小组 in the big branches
    for b in ctx.branches:
        n = len(ctx.members_by_branch[b.pk])
        assert 14 <= n <= 60
        if n > 30:
            assert Organization.objects.filter(path__startswith=b.path, org_type=OrgType.GROUP).count() >= 2
    # terms: 机关 3 years, 社区 and 镇党委 5 years; 2–3 due soon and 1–2 overdue
    current = {}
    for t in Term.objects.order_by("started_on"):
        current[t.org_id] = t
    assert current[organ[0].pk].years == 3
    assert current[ctx.township.pk].years == 5
    statuses = [renewal_status(current[b.pk].ends_on, TODAY) for b in ctx.branches]
    assert 2 <= statuses.count("即将到期") <= 3
    assert 1 <= statuses.count("已超期") <= 2


@pytest.mark.django_db
def test_tree_integrity_ids_and_dates_are_valid():
    ctx = _load("township")
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    root = Organization.objects.get_root_nodes().get()
    assert root.org_type == OrgType.HIGHER and Organization.objects.get_children(root).get() == ctx.township
    assert Organization.objects.get_children(ctx.township).count() == 40
    seen = set()
    for m in Member.objects.all():
        number = m.id_number
        validate_id(number, today=TODAY)
        assert number.startswith("6205")
        assert birth_date_from_id(number) == m.birth_date
        assert sex_from_id(number) == m.sex
        assert number not in seen
        seen.add(number)
        assert validate_member_dates(m.birth_date, m.joined_on, m.full_on, m.kind) == []
        assert m.name_pinyin and m.name_initials
        if m.kind == MemberKind.PROBATIONARY:
            assert (TODAY - m.joined_on).days < 366
        if m.occupation == "离退休人员":
            assert m.dues_category == "离退休"
        if m.occupation == "农牧渔民":
            assert m.dues_category in ("农民", "低保")
    # 发展 for everyone, 转正 for every 正式党员
    assert MemberEvent.objects.filter(kind=MemberEvent.Kind.DEVELOPED).count() == 1494
    assert (
        MemberEvent.objects.filter(kind=MemberEvent.Kind.FULL).count() == Member.objects.filter(kind="正式党员").count()
    )


@pytest.mark.django_db
def test_committees_and_accounts():
    ctx = _load("township")
    for b in ctx.branches:
        sec = ctx.secretary_by_branch[b.pk]
        assert sec.branch_id == b.pk and sec.kind == MemberKind.FULL
        posts = Post.objects.filter(org=b, ended_on__isnull=True)
        assert posts.filter(kind="书记", member=sec).exists()
        full = sum(1 for m in ctx.members_by_branch[b.pk] if m.kind == MemberKind.FULL and not m.is_mobile)
        if full >= 7:  # 支部工作条例 Art. 20
            assert 3 <= posts.count() <= 5
        user = ctx.users[f"secretary:{b.pk}"]
        assert user.role == Role.SECRETARY and user.org_id == b.pk and user.member_id == sec.pk
    assert User.objects.filter(username__startswith="shuji").count() == 40
    admin = User.objects.get(username="admin")
    assert admin.role == Role.ADMIN and admin.org_id == ctx.township.pk and admin.must_change_password
    assert admin.check_password("Demo-pass-2023") and admin.full_name
    assert User.objects.get(username="ducha").role == Role.INSPECTOR
    assert User.objects.filter(username__startswith="dangyuan", role=Role.MEMBER).count() == 10
    assert User.objects.filter(username__startswith="zhiwei", role=Role.COMMITTEE).exists()
    assert ctx.users["admin"] == admin and ctx.users["inspector"].username == "ducha"
    assert {u for _label, u, _pw in ctx.logins} >= {"admin", "ducha", "dangyuan01"}
    # groups have leaders
    for g in ctx.groups:
        assert Post.objects.filter(org=g, kind="党小组组长").count() <= 1
    assert Post.objects.filter(kind="党小组组长").count() >= len(ctx.groups) - 2


@pytest.mark.django_db
def test_tiny_scale_is_small_and_complete():
    ctx = _load("tiny")
    assert len(ctx.branches) == 4
    assert AdminUnit.objects.filter(kind=AdminUnit.Kind.COMMUNITY).count() == 2
    assert AdminUnit.objects.filter(kind=AdminUnit.Kind.GROUP).count() == 4
    assert Member.objects.count() == 60
    assert ctx.groups, "tiny has a branch big enough for 党小组"
    assert Member.objects.filter(kind=MemberKind.PROBATIONARY).exists()
    assert Member.objects.filter(is_mobile=True).exists()
    current = {}
    for t in Term.objects.order_by("started_on"):
        current[t.org_id] = t
    statuses = [renewal_status(current[b.pk].ends_on, TODAY) for b in ctx.branches]
    assert statuses.count("即将到期") == 1 and statuses.count("已超期") == 1
    assert Organization.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.django_db
def test_same_seed_gives_the_same_data():
    _load("tiny")
    first = _digest()
    _wipe()
    _load("tiny")
    assert _digest() == first
    _wipe()
    _load("tiny", seed=1)
    assert _digest() != first


@pytest.mark.django_db
def test_county_shape_on_a_small_scale(monkeypatch):
    # The county generator with 3 townships instead of 20 (same code path, fast).
    monkeypatch.setitem(township.SCALES, "county", 3)
    ctx = _load("county")
    assert len(ctx.townships) == 3
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    root = Organization.objects.get_root_nodes().get()
    assert root == ctx.district and root.numchild == 3
    # the first township is the demo township, exactly
    assert Member.objects.filter(branch__path__startswith=ctx.townships[0].path).count() == 1494
    others = Member.objects.exclude(branch__path__startswith=ctx.townships[0].path).count()
    assert 2 * 1100 <= others <= 2 * 1900
    assert AdminUnit.objects.filter(kind=AdminUnit.Kind.VILLAGE).exists()
    admin = User.objects.get(username="district_admin")
    assert admin.org == root and admin.role == Role.ADMIN
    assert all(f"secretary:{b.pk}" in ctx.users for b in ctx.branches)
    assert User.objects.filter(username__startswith="t002shuji").exists()


@pytest.mark.django_db
def test_city_shape_on_a_small_scale(monkeypatch):
    monkeypatch.setitem(township.SCALES, "city", 2)
    ctx = _load("city")
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    root = Organization.objects.get_root_nodes().get()
    assert root.org_type == OrgType.HIGHER and root.numchild == 10  # 市委 → 10 区委
    for t in ctx.townships:
        assert t.depth == 3 and Organization.objects.get_parent(t).org_type == OrgType.HIGHER
