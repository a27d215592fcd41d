"""No full 公民身份号码 can be rebuilt from what a role not entitled to it receives.

The probe of issue 19 paired each mask (620503********7102) with the 出生日期 printed beside
it and so rebuilt the whole number. Here the same attack runs over every GET page and export
of the project (the generated URL walk) as the 支委委员 and the 督查 accounts: every mask found
is completed with every date found in the same response, and a number counts as rebuilt when
at most the check character is left unknown. None may be.
"""

import html
import io
import re
import zipfile
from datetime import date

import pytest
from django.db import transaction
from django.test import Client

from dangjian.accounts.scope import visible_to
from dangjian.members.models import Member
from dangjian.rules.idcard import checksum_char, make_id
from dangjian.testsupport.scope import PLAIN_VALUES, iter_urls
from dangjian.testsupport.world import module_data

ENTRIES = [e for e in iter_urls() if e.rule is not None and not e.regex and not e.rule.get("write")]
MASK = re.compile(r"\b(\d{6})([0-9*]{8})([0-9*]{3})([0-9X*])(?![0-9*])")
DATES = [
    re.compile(r"(19\d\d|20\d\d)-(\d\d)-(\d\d)"),
    re.compile(r"(19\d\d|20\d\d)年(\d{1,2})月(\d{1,2})日"),
    re.compile(r"(19\d\d|20\d\d)[./](\d{1,2})[./](\d{1,2})"),
    re.compile(r"(?<!\d)(19\d\d|20\d\d)(\d\d)(\d\d)(?!\d)"),
]


def _text(resp) -> str:
    body = b"".join(resp.streaming_content) if getattr(resp, "streaming", False) else resp.content
    if body[:2] == b"PK":  # xlsx / docx: the XML parts hold the text
        parts = []
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            for name in zf.namelist():
                if name.endswith(".xml"):
                    parts.append(html.unescape(zf.read(name).decode("utf-8", "replace")))
        return "\n".join(parts)
    return body.decode("utf-8", "replace")


def rebuilt_ids(text: str) -> set[str]:
    """Every full number the attacker can pin down from one response."""
    found = set()
    dates = set()
    for rx in DATES:
        for y, mo, d in rx.findall(text):
            try:
                dates.add(date(int(y), int(mo), int(d)).strftime("%Y%m%d"))
            except ValueError:
                continue
    for region, birth, seq, check in MASK.findall(text):
        births = [birth] if "*" not in birth else [d for d in dates if all(a in ("*", b) for a, b in zip(birth, d))]
        if "*" in seq:
            continue  # three unknown digits (500 candidates even with the sex): not rebuilt
        for b in births:
            first17 = region + b + seq
            if check in ("*", checksum_char(first17)):
                found.add(first17 + checksum_char(first17))
    found |= set(re.findall(r"\b\d{17}[0-9X]\b", text))
    return found


def test_the_attack_bites_on_the_old_mask():
    number = make_id("620503", date(1990, 2, 17), 710)
    old_page = f"<td>{number[:6]}********{number[-4:]}</td><td>1990年2月17日</td>"
    assert number in rebuilt_ids(old_page)
    new_page = f"<td>{number[:6]}***********{number[-1]}</td><td>1990年2月17日</td>"
    assert rebuilt_ids(new_page) == set()


@pytest.fixture(scope="module")
def walk_world(django_db_setup, django_db_blocker):
    from tests.security.test_security_scope_everywhere import build_scope_world

    with module_data(django_db_blocker):
        world = build_scope_world()
        for m in Member.objects.filter(branch=world.branch, is_mobile=True)[:2]:
            m.set_mobile_contact("微信同号 13912345678")
            m.save()
        yield world


def _urls(entry, world, role):
    params = entry.rule.get("params", {})
    plain = {k: PLAIN_VALUES.get(k, 1 if c == "int" else "x") for k, c in entry.kwargs.items() if k not in params}
    if not params:
        return [entry.build(plain)]
    picks = {p: world.pick(role, m)[0] for p, m in params.items()}
    if not all(picks.values()):
        return []
    return [entry.build(plain | {p: pks[0] for p, pks in picks.items()})]


@pytest.mark.parametrize("role", ["committee", "inspector"])
def test_no_full_id_rebuilt_from_any_page_or_export(walk_world, role, db):
    user = walk_world.users[role]
    client = Client()
    client.force_login(user)
    secrets = {}
    for m in visible_to(user, Member):
        secrets[m.id_number] = m
    assert len(secrets) >= 3
    visited = 0
    leaks = []
    for entry in ENTRIES:
        allowed = {str(r) for r in entry.rule.get("roles", ())}
        if role not in allowed and not entry.rule.get("public"):
            continue
        for url in _urls(entry, walk_world, role):
            for query in ("", "?full=1"):
                with transaction.atomic():
                    resp = client.get(url + query)
                    text = _text(resp) if resp.status_code == 200 else ""
                    transaction.set_rollback(True)
                visited += 1
                got = rebuilt_ids(text) & set(secrets)
                leaks += [f"{url}{query}: {secrets[n].name}" for n in got]
                assert "13912345678" not in text, f"外出联系方式 unmasked on {url}{query}"
    assert visited > 40
    assert not leaks, f"full IDs rebuilt as {role}: {leaks[:10]} ({len(leaks)})"


def test_birth_date_only_for_entitled_roles(walk_world, db):
    member = Member.objects.filter(branch=walk_world.branch, is_current=True).order_by("pk").first()
    shown = f"{member.birth_date.year}年{member.birth_date.month}月{member.birth_date.day}日"
    for role, sees in (("secretary", True), ("admin", True), ("committee", False), ("inspector", False)):
        c = Client()
        c.force_login(walk_world.users[role])
        page = c.get(f"/members/{member.pk}/").content.decode()
        assert (shown in page) is sees, role
        assert (member.age_band in page) is not sees, role
        export = _text(c.get("/members/export/"))
        header = re.search(r"姓名.{0,400}", export).group(0)
        assert ("出生日期" in header) is sees and ("年龄段" in header) is not sees, (role, header)
