"""Services and selectors of the organization tree: validation and 换届 computation."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from dangjian.orgs import selectors, services
from dangjian.orgs.models import Organization, OrgCategory, OrgType, Term
from dangjian.orgs.services import OrgError

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 29)


def _term(org, ends_on, years=5):
    return Term.objects.create(org=org, started_on=date(ends_on.year - years, ends_on.month, ends_on.day), years=years,
                               ends_on=ends_on)  # fmt: skip


def test_default_term_years_follow_the_rules():
    # 2018 中办 意见 / 支部工作条例 Art. 21: 基层委员会 5, 支部 3, 村/社区 5
    assert selectors.default_term_years(OrgType.COMMITTEE, OrgCategory.ORGAN) == 5
    assert selectors.default_term_years(OrgType.BRANCH, OrgCategory.ORGAN) == 3
    assert selectors.default_term_years(OrgType.BRANCH, OrgCategory.COMMUNITY) == 5
    assert selectors.default_term_years(OrgType.BRANCH, OrgCategory.VILLAGE) == 5
    assert selectors.default_term_years(OrgType.GENERAL_BRANCH, OrgCategory.ENTERPRISE) == 3
    assert selectors.default_term_years(OrgType.GROUP) is None
    assert selectors.default_term_years(OrgType.HIGHER) is None


def test_term_lengths_are_a_setting():
    from django.conf import settings

    conf = {**settings.DANGJIAN, "TERM_YEARS_BY_TYPE": {"branch": 4, "primary_committee": 5}}
    with override_settings(DANGJIAN=conf):
        assert selectors.default_term_years(OrgType.BRANCH, OrgCategory.ORGAN) == 4


def test_term_warning_computation(world):
    _term(world.branch_a, date(2027, 5, 29))  # exactly 6 months ahead: warning starts
    _term(world.branch_b, date(2027, 5, 30))  # one day further: no warning yet
    rows = selectors.renewal_due(Organization.objects.all(), today=TODAY)
    assert [(r["org"], r["status"]) for r in rows] == [(world.branch_a, "即将到期")]
    _term(world.township, date(2026, 11, 28))  # yesterday: overdue, listed first
    rows = selectors.renewal_due(Organization.objects.all(), today=TODAY)
    assert [(r["org"], r["status"]) for r in rows] == [(world.township, "已超期"), (world.branch_a, "即将到期")]
    # the latest term counts: after a 换届 the warning is gone
    Term.objects.create(org=world.branch_a, started_on=date(2026, 11, 1), years=5, ends_on=date(2031, 11, 1))
    rows = selectors.renewal_due(Organization.objects.all(), today=TODAY)
    assert [r["org"] for r in rows] == [world.township]


def test_warning_months_is_a_setting(world):
    from django.conf import settings

    _term(world.branch_a, date(2027, 8, 1))
    assert selectors.renewal_due(Organization.objects.all(), today=TODAY) == []
    with override_settings(DANGJIAN={**settings.DANGJIAN, "TERM_WARNING_MONTHS": 12}):
        assert len(selectors.renewal_due(Organization.objects.all(), today=TODAY)) == 1


def test_add_post_refuses_a_probationary_member_citing_the_rule(world):
    with pytest.raises(OrgError) as e:
        services.add_post(org=world.branch_a, member=world.members_a[4], kind="纪检委员", started_on=TODAY, today=TODAY)
    assert "党章第七条" in e.value.message


def test_group_posts_are_group_leaders_only(world):
    with pytest.raises(OrgError):
        services.add_post(org=world.group_a, member=world.members_a[0], kind="书记", started_on=TODAY, today=TODAY)
    post, _ = services.add_post(
        org=world.group_a, member=world.members_a[0], kind="党小组组长", started_on=TODAY, today=TODAY
    )
    assert post.org == world.group_a
    with pytest.raises(OrgError) as e:
        services.add_post(
            org=world.group_a, member=world.members_a[1], kind="党小组组长", started_on=TODAY, today=TODAY
        )
    assert "已有现任党小组组长" in e.value.message


def test_add_child_rules(world):
    admin = world.user("admin")
    sec = world.user("secretary_a")
    with pytest.raises(OrgError) as e:
        services.add_child(user=admin, parent=world.group_a, name="X", org_type=OrgType.GROUP, today=TODAY)
    assert "党小组下不能设立" in e.value.message
    with pytest.raises(OrgError) as e:
        services.add_child(user=sec, parent=world.township, name="X", org_type=OrgType.BRANCH, today=TODAY)
    assert "管理员" in e.value.message
    with pytest.raises(OrgError):
        services.add_child(
            user=admin, parent=world.township, name="东街社区党支部", org_type=OrgType.BRANCH, today=TODAY
        )
    gb = services.add_child(user=admin, parent=world.township, name="机关党总支", org_type=OrgType.GENERAL_BRANCH,
                            category=OrgCategory.ORGAN, today=TODAY)  # fmt: skip
    b = services.add_child(user=admin, parent=gb, name="机关第一支部", org_type=OrgType.BRANCH, today=TODAY)
    assert b.category == OrgCategory.ORGAN and Organization.objects.get_parent(b) == gb
    assert Organization.objects.find_problems() == ([], [], [], [], [])


def test_add_term_validation(world):
    with pytest.raises(OrgError):
        services.add_term(org=world.branch_a, started_on=date(2027, 1, 1), years=None, today=TODAY)
    t = services.add_term(org=world.branch_a, started_on=date(2024, 2, 29), years=None, today=TODAY)
    assert (t.years, t.ends_on) == (5, date(2029, 2, 28))
    with pytest.raises(OrgError):
        services.add_term(org=world.group_a, started_on=date(2024, 1, 1), years=None, today=TODAY)
    t2 = services.add_term(org=world.branch_b, started_on=date(2024, 1, 1), years=4, note="经镇党委批准", today=TODAY)
    assert t2.years == 4


def test_overview_command_text_and_org(world):
    out = StringIO()
    call_command("overview", stdout=out)
    assert "党支部 2 个" in out.getvalue() and "党员 10 名" in out.getvalue()
    out = StringIO()
    call_command("overview", json=True, org="东街", stdout=out)
    data = json.loads(out.getvalue())
    assert data["org"] == "东街社区党支部" and data["members"]["total"] == 5
    with pytest.raises(CommandError):
        call_command("overview", org="不存在的组织", stdout=StringIO())


def test_overview_command_on_empty_database():
    with pytest.raises(CommandError):
        call_command("overview", stdout=StringIO())
