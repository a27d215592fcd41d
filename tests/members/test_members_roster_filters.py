"""Roster filter selects at scale: 党小组 of the chosen branch only; with many branches,
the branches of the chosen 镇（街道）党委 only."""

from django.urls import reverse

from dangjian.members import selectors


def _options(resp, name):
    field = resp.context["filter"].form[name].field
    return [str(v) for v, _ in field.widget.choices if v != ""]


def test_group_select_only_after_a_branch_is_chosen(world, client_for):
    c = client_for("admin")
    url = reverse("members:list")
    resp = c.get(url)
    assert not resp.context["filter"].branch_chosen
    assert 'name="group"' not in resp.content.decode()
    resp = c.get(url, {"branch": world.branch_a.pk})
    assert _options(resp, "group") == [str(world.group_a.pk)]
    resp = c.get(url, {"branch": world.branch_b.pk})
    assert _options(resp, "group") == []


def test_many_branches_are_offered_per_township(world, client_for, monkeypatch):
    monkeypatch.setattr(selectors, "BRANCH_SELECT_LIMIT", 1)
    c = client_for("admin")
    url = reverse("members:list")
    resp = c.get(url)
    assert resp.context["filter"].many_branches
    assert _options(resp, "branch") == []  # choose a 镇（街道） first
    assert str(world.township.pk) in _options(resp, "town")
    resp = c.get(url, {"town": world.township.pk})
    assert {str(world.branch_a.pk), str(world.branch_b.pk)} <= set(_options(resp, "branch"))
    assert resp.context["page"].paginator.count > 0
    # a branch chosen alone (a link from elsewhere) lists its township's branches
    resp = c.get(url, {"branch": world.branch_a.pk})
    assert str(world.branch_a.pk) in _options(resp, "branch")
