"""The township administrator's page of reveal events: who, whom, when, from where, why."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.accounts.models import RevealEvent
from dangjian.members import services


def test_reveal_events_listed_filtered_exported(world, client_for):
    sec, m = world.user("secretary_a"), world.members_a[0]
    services.reveal_id_number(sec, m, "10.9.0.1")
    services.log_id_export(sec, count=3, purpose="报送年度统计", remote_addr="10.9.0.2")
    services.reveal_phone(world.user("secretary_b"), world.members_b[0], "10.9.0.3")
    admin = client_for("admin")
    body = admin.get(reverse("accounts:reveals")).content.decode()
    assert m.name in body and "10.9.0.1" in body and "报送年度统计" in body and "10.9.0.3" in body
    only = admin.get(reverse("accounts:reveals"), {"kind": RevealEvent.Kind.EXPORT_IDS}).content.decode()
    assert "报送年度统计" in only and "10.9.0.1" not in only
    by_user = admin.get(reverse("accounts:reveals"), {"user": world.user("secretary_b").pk}).content.decode()
    assert "10.9.0.3" in by_user and "10.9.0.2" not in by_user
    resp = admin.get(reverse("accounts:reveals"), {"q": m.name, "export": "1"})
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert any(r[4] == m.name and r[7] == "10.9.0.1" for r in rows[2:])
    assert all("10.9.0.3" not in [str(c) for c in r] for r in rows[2:])
    for role in ("secretary_a", "committee_a", "inspector", "member_a"):
        assert client_for(role).get(reverse("accounts:reveals")).status_code == 403
