"""Personal data: 公民身份号码 and phones encrypted at rest (the database bytes alone reveal
none), the keyed hash finds a member, exports say who exported what and when."""

import io
from datetime import date

from django.db import connection
from django.test import override_settings
from openpyxl import load_workbook

from dangjian.core import crypto
from dangjian.core.xlsx import ledger_bytes, title_line
from dangjian.members.models import Member
from dangjian.rules.idcard import make_id
from dangjian.testsupport.world import make_member


def _database_bytes() -> bytes:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return connection.connection.serialize()  # the whole SQLite database image, as on disk
    # PostgreSQL: every row of every table as the server stores it, as text.
    from django.apps import apps

    parts = []
    with connection.cursor() as cur:
        for model in apps.get_models(include_auto_created=True):
            table = connection.ops.quote_name(model._meta.db_table)
            cur.execute(f"SELECT t::text FROM {table} t")
            parts.extend(row[0] for row in cur.fetchall())
    return "\n".join(parts).encode()


def test_database_file_holds_no_identity_number_or_phone(world):
    raws = []
    for i in range(20):
        birth = date(1960 + i, 1 + i % 12, 1 + i)
        m = make_member(world.branch_b, name=f"加密检查{i}", birth=birth)
        raws.append((m.id_number, m.phone))
    raws += [(m.id_number, m.phone) for m in world.members_a + world.members_b]
    blob = _database_bytes()
    assert len(blob) > 10_000
    for id_number, phone in raws:
        assert len(id_number) == 18
        for needle in (id_number, id_number[:17], id_number[6:14] + id_number[14:17]):
            assert needle.encode() not in blob, "identity number found in the database bytes"
            assert needle.encode("utf-16-le") not in blob
        assert phone.encode() not in blob
    # The mask is stored (it is what pages show); it hides the birth date and sequence.
    m = Member.objects.get(name="加密检查3")
    assert m.id_number_mask.count("*") >= 8 and m.id_number_mask.encode() in blob


def test_keyed_hash_lookup_and_decrypt(world):
    raw = make_id("620102", date(1972, 4, 5), 77)
    m = world.members_b[1]
    m.set_id_number(raw)
    m.save()
    found = Member.objects.get(id_number_hash=crypto.lookup_hash(raw))
    assert found.pk == m.pk and found.id_number == raw
    assert m.id_number_hash != raw and raw not in m.id_number_enc
    # The hash is keyed: a plain SHA-256 of the number does not match it.
    import hashlib

    assert hashlib.sha256(raw.encode()).hexdigest() != m.id_number_hash


def test_wrong_key_is_reported_not_garbled(world, tmp_path):
    token = world.members_a[0].id_number_enc
    other = tmp_path / "other.key"
    from cryptography.fernet import Fernet

    other.write_text(Fernet.generate_key().decode())
    try:
        with override_settings(FIELD_ENCRYPTION_KEY="", FIELD_ENCRYPTION_KEY_FILE=other):
            try:
                crypto.decrypt(token)
            except ValueError as exc:
                assert "加密密钥与数据不匹配" in str(exc)
            else:
                raise AssertionError("decrypting with another key must fail")
    finally:
        crypto.reset()
    assert world.members_a[0].id_number  # the right key still works


def test_export_title_row_says_who_what_when(world):
    user = world.user("secretary_a")
    line = title_line(title="党员名册", org="东街社区党支部", period="2026年", user=user, filters="在册")
    assert line.startswith("党员名册")
    for part in ("党组织：东街社区党支部", "期间：2026年", "筛选：在册", "导出人：sec_a", "导出时间：20"):
        assert part in line
    content = ledger_bytes(
        title="党员名册",
        headers=["姓名", "备注"],
        rows=[["张三", "=cmd|' /C calc'!A0"], ["李四", "+SUM(1,2)"], ["王五", "@x"], ["赵六", "-1+1"]],
        org="东街社区党支部",
        user=user,
    )
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value.startswith("党员名册") and "导出人：sec_a" in ws["A1"].value
    assert [c.value for c in ws[2]] == ["姓名", "备注"]
    for row in ws.iter_rows(min_row=3):
        assert row[1].data_type != "f" and row[1].value.startswith("'")
    from dangjian.testsupport.fuzz import assert_formula_safe

    assert_formula_safe(content)
