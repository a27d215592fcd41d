"""Every GET page, for every role, reads in Chinese: no English UI words (issue 17 §6).

The walk reuses the generated URL list of the scope check (testsupport.scope) and its data
(the demo township at tiny scale); each page is rendered as each role with an object in
that role's scope, and the visible text is checked by testsupport.words.english_words.
"""

import pytest
from test_security_scope_everywhere import build_scope_world

from dangjian.orgs.models import Organization
from dangjian.testsupport.scope import PLAIN_VALUES, _client_for, iter_urls, visit
from dangjian.testsupport.words import english_words
from dangjian.testsupport.world import module_data

ENTRIES = [e for e in iter_urls() if e.rule is not None and not e.regex]
ROLES = ("admin", "inspector", "secretary", "committee", "member", "anonymous")


@pytest.fixture(scope="module")
def words_world(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        world = build_scope_world()
        _write_history(world)
        yield world


def _write_history(world):
    """The demo writes in bulk (entries without changes): give each member page the walk
    visits a 修改记录 written through auditlog's signals — a create entry (reverse relations
    stored as "points.ManualPoint.None"), an edit of an FK and a boolean, a manual points item
    proposed and approved — so the walk reads real history on the member and audit pages."""

    from auditlog.receivers import log_create
    from django.utils import timezone

    from dangjian.core.audit import acting_as
    from dangjian.members.models import Member
    from dangjian.testsupport.world import approved_manual_point, make_member

    admin, secretary = world.users["admin"], world.users["secretary"]
    picked = {pk for role in ROLES if world.users[role] is not None for pk in world.pick(role, Member)[0][:1]}
    with acting_as(secretary):
        new = make_member(world.branch, name="历史记录")
        new.delete()  # a delete entry as well
    for member in Member.objects.filter(pk__in=picked):
        with acting_as(secretary):
            # The create entry a form's save writes (the demo's members were added in bulk).
            log_create(sender=Member, instance=member, created=True)
            member.is_migrant_worker = not member.is_migrant_worker
            member.group = None if member.group_id else Organization.objects.get_children(world.branch).first()
            member.job = "村会计"
            member.save()
        approved_manual_point(member, secretary, admin, timezone.localdate())


def test_the_checker_bites():
    html = '<p>保存</p><button title="Save">x</button><p>True → False</p><script>var a="Hello";</script>'
    assert english_words(html) == ["Save", "True", "False"]
    assert english_words('<a href="/x/">http://testserver/meetings/1/signin/</a> scope_admin 下载Excel') == []


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_page_has_no_english_words(entry, words_world, db):
    problems = []
    for role in ROLES:
        user = words_world.users[role]
        rule = entry.rule
        if user is None and not rule.get("public"):
            continue
        if user is not None and user.role not in rule["roles"]:
            continue
        values = {k: PLAIN_VALUES.get(k, 1 if c == "int" else "x") for k, c in entry.kwargs.items()}
        missing = False
        for name, model in rule["params"].items():
            inside, _ = words_world.pick(role, model)
            if not inside:
                missing = True
                break
            values[name] = inside[0]
        if missing:
            continue
        v = visit(_client_for(user), "GET", entry.build(values))
        if v.status != 200 or "<html" not in v.body[:500].lower():
            continue
        words = english_words(v.body)
        if words:
            problems.append(f"{role}: {sorted(set(words))[:15]}")
    assert not problems, f"{entry.name}: " + "; ".join(problems)
