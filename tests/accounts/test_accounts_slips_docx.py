"""Issue 15: the account slips as a Word download (A4, page numbers, one row per person with
the sign-in QR code as a PNG). It holds initial passwords: POST with a stated purpose, logged,
and only once."""

import io
import re

import docx
import pytest
from django.urls import reverse

from dangjian.accounts.models import RevealEvent, User
from dangjian.accounts.slips_docx import qr_png

pytestmark = pytest.mark.django_db


def make_slips(c, world):
    User.objects.filter(member__branch=world.branch_a, role="member").delete()
    resp = c.post(reverse("accounts:bulk_create"), {"what": "members", "branch": world.branch_a.pk})
    body = resp.content.decode()
    assert resp.status_code == 200 and 'id="slips-docx-form"' in body
    found = re.findall(r'data-username="([^"]+)".*?class="pw">([^<]+)<.*?class="link">([^<]+)<', body, re.S)
    assert found
    return {u: (pw, link.replace("&amp;", "&")) for u, pw, link in found}


def test_slips_download_as_word_with_purpose_logged_once(world, client_for):
    c = client_for("secretary_a")
    shown = make_slips(c, world)
    url = reverse("accounts:slips_docx")
    assert c.get(url).status_code == 405  # a link cannot start it

    resp = c.post(url, {"purpose": "短"})  # the purpose is required (≥ 4 characters)
    assert resp.status_code == 400 and "用途" in resp.content.decode()
    assert not RevealEvent.objects.filter(kind=RevealEvent.Kind.SLIPS).exists()

    resp = c.post(url, {"purpose": "打印发放东街支部党员账号"})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-cache" in resp["Cache-Control"] and "attachment" in resp["Content-Disposition"]
    d = docx.Document(io.BytesIO(resp.content))
    sec = d.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert "PAGE" in sec.footer._element.xml  # page numbers
    table = d.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["登录二维码", "姓名", "所在组织", "用户名", "初始密码"]
    rows = {r.cells[3].text: r for r in table.rows[1:]}
    assert set(rows) == set(shown)
    for username, (password, link) in shown.items():
        row = rows[username]
        assert row.cells[4].text == password and row.cells[2].text == world.branch_a.name
        assert User.objects.get(username=username).check_password(password)
        # the QR image in the row is the PNG of that person's sign-in link
        blip = row.cells[0]._element.xpath(".//a:blip/@r:embed")[0]
        assert d.part.related_parts[blip].blob == qr_png(link)
    assert len(d.inline_shapes) == len(shown)

    event = RevealEvent.objects.get(kind=RevealEvent.Kind.SLIPS)
    assert event.user == world.user("secretary_a") and event.purpose == "打印发放东街支部党员账号"
    assert f"{len(shown)} 人" in event.detail

    # only once: the kept copy is gone
    again = c.post(url, {"purpose": "打印发放东街支部党员账号"}, follow=True)
    assert "已下载过或已过期" in again.content.decode()
    assert RevealEvent.objects.filter(kind=RevealEvent.Kind.SLIPS).count() == 1


def test_another_session_gets_no_slips(world, client_for):
    make_slips(client_for("secretary_a"), world)
    other = client_for("admin")  # its own session: nothing kept there
    resp = other.post(reverse("accounts:slips_docx"), {"purpose": "打印发放东街支部党员账号"})
    assert resp.status_code == 302 and not RevealEvent.objects.filter(kind=RevealEvent.Kind.SLIPS).exists()
    assert client_for("member_b").post(reverse("accounts:slips_docx"), {"purpose": "随便看看看看"}).status_code == 403
