"""国密 field encryption and key rotation: new writes are SM4-GCM under a named key, old Fernet
values still read, lookups keep working, and `rotate_keys` moves every value to a new key —
resumably, without overwriting a concurrent edit, and refusing a missing or wrong key file."""

import os
import re
import stat
import time
from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.core import crypto, key_rotation
from dangjian.lifecycle.models import DevelopmentCase
from dangjian.members.models import Member
from dangjian.members.services import id_taken
from dangjian.rules.idcard import make_id
from dangjian.testsupport.world import build_world, make_member


@pytest.fixture
def key_file(db, tmp_path, settings):
    """An installation of an earlier version: var/field.key holds one bare Fernet key."""
    path = tmp_path / "field.key"
    path.write_text(Fernet.generate_key().decode() + "\n")
    path.chmod(0o600)
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.FIELD_ENCRYPTION_KEY_FILE = path
    crypto.reset()
    yield path
    crypto.reset()


def _snapshot() -> dict:
    """Every encrypted value, decrypted, by (table, pk, column)."""
    out = {}
    for cols in key_rotation.encrypted_columns():
        for row in cols.model._base_manager.values_list("pk", *cols.enc):
            for name, token in zip(cols.enc, row[1:]):
                out[(cols.label, row[0], name)] = crypto.decrypt(token)
    return out


def _raw_tokens() -> dict:
    out = {}
    for cols in key_rotation.encrypted_columns():
        names = (*cols.enc, *cols.hashes.values())
        for row in cols.model._base_manager.values_list("pk", *names):
            out[(cols.label, row[0])] = row[1:]
    return out


def _old_install(key_file):
    """The world written as an old version would have: a third of the values as Fernet tokens."""
    world = build_world()
    fernet = Fernet(key_file.read_text().strip().encode())
    for i, m in enumerate(Member.objects.order_by("pk")):
        if i % 2 == 0:
            m.set_mobile_contact(f"微信 wx{i:04d} 或 139{i:08d}")
            m.save()
        if i % 3 == 0:  # the old cipher: a Fernet token, same lookup hash as before
            Member.objects.filter(pk=m.pk).update(
                id_number_enc=fernet.encrypt(m.id_number.encode()).decode(),
                phone_enc=fernet.encrypt(m.phone.encode()).decode(),
            )
    case = DevelopmentCase(
        branch=world.branch_a, name="申请人甲", sex="男", birth_date=date(2000, 3, 4), applied_on=date(2024, 1, 5)
    )
    case.id_number_enc = fernet.encrypt(make_id("620102", date(2000, 3, 4), 11).encode()).decode()
    case.save()
    return world


def test_new_writes_are_sm4_gcm_under_a_named_key(key_file):
    ring = crypto.keyring()
    token = crypto.encrypt("620102199001011234")
    assert token.startswith(f"S1.{ring.current.id}.")
    assert crypto.decrypt(token) == "620102199001011234"
    assert crypto.encrypt("620102199001011234") != token  # a fresh nonce every time
    # authenticated: a changed byte, or the same ciphertext relabelled to another key, is refused
    head, kid, body = token.split(".")
    flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    for bad in (f"{head}.{kid}.{flipped}", f"{head}.kdeadbeef.{body}"):
        with pytest.raises(ValueError, match="加密密钥与数据不匹配"):
            crypto.decrypt(bad)


def test_old_fernet_values_read_and_their_lookup_hash_is_kept(key_file):
    import base64
    import hashlib
    import hmac

    raw_key = key_file.read_text().strip()
    old_token = Fernet(raw_key.encode()).encrypt(b"13800138000").decode()
    assert crypto.decrypt(old_token) == "13800138000"
    # the old lookup hash (HMAC-SHA256 under a key derived from the Fernet key), unchanged
    hk = hashlib.sha256(b"dangjian-lookup-hash:" + base64.urlsafe_b64decode(raw_key)).digest()
    assert crypto.lookup_hash("x1") == hmac.new(hk, b"x1", hashlib.sha256).hexdigest()
    assert key_file.read_text().strip() == raw_key  # reading never rewrites the old key file


def test_a_new_install_gets_a_keyring_file_of_mode_600(tmp_path, settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.FIELD_ENCRYPTION_KEY_FILE = tmp_path / "new" / "field.key"
    crypto.reset()
    try:
        token = crypto.encrypt("abc")
        ring = crypto.parse_keyring(settings.FIELD_ENCRYPTION_KEY_FILE.read_text())
        assert ring.current.alg == "sm4" and token.startswith(f"S1.{ring.current.id}.")
        assert stat.S_IMODE(os.stat(settings.FIELD_ENCRYPTION_KEY_FILE).st_mode) == 0o600
        assert len(crypto.lookup_hash("abc")) == 64  # HMAC-SM3, fits the 64-character column
    finally:
        crypto.reset()


def test_rotation_round_trip(key_file, capsys):
    from auditlog.models import LogEntry

    from dangjian.core.spreadsheet import keep_preview, load_preview

    _old_install(key_file)
    before = _snapshot()
    assert sum(1 for v in before.values() if v) > 20
    tokens = _raw_tokens()
    assert any(t and not t.startswith("S1.") for row in tokens.values() for t in row[:1])  # Fernet present
    preview = keep_preview({"rows": [["张三", "620102199001011234"]]})
    old_ids = [k.id for k in crypto.keyring().keys]
    some = Member.objects.filter(is_current=True).order_by("pk").first()
    raw_id = some.id_number

    call_command("rotate_keys", "--status")  # looks, changes nothing
    status = capsys.readouterr().out
    assert re.search(r"members_member.id_number_enc：.*fernet \d+ 行", status) and _raw_tokens() == tokens

    call_command("rotate_keys", "--batch-size", "3")
    out = capsys.readouterr().out
    assert "密钥轮换完成" in out and "旧密钥" in out

    ring = crypto.keyring()
    assert ring.current.alg == "sm4" and ring.current.id not in old_ids
    assert [k.id for k in ring.keys] == [ring.current.id]  # the old key is out of the key file
    assert ring.rotation is None and ring.history[-1]["to"] == ring.current.id
    # every value reads back identically, and none is under the old key any more
    assert _snapshot() == before
    assert key_rotation.stragglers(ring, ring.current.id) == {}
    for row in _raw_tokens().values():
        for t in row:
            assert not t or t.startswith(f"S1.{ring.current.id}.") or len(t) == 64  # hashes are hex
    assert load_preview(preview) == {"rows": [["张三", "620102199001011234"]]}
    # lookups: under the new key's HMAC-SM3
    assert id_taken(raw_id)
    assert Member.objects.get(id_number_hash=crypto.lookup_hash(raw_id), is_current=True).pk == some.pk
    assert Member.objects.get(pk=some.pk).id_number_hash != tokens[("members_member", some.pk)][-1]
    # the old key saved apart (for older backups), mode 600; the key file mode 600
    retired = list(key_file.parent.glob("field.key.retired-*"))
    assert len(retired) == 1 and stat.S_IMODE(os.stat(retired[0]).st_mode) == 0o600
    assert crypto.parse_keyring(retired[0].read_text()).keys[0].id in old_ids
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    # audited: one entry per rewritten row, naming the new key
    assert LogEntry.objects.filter(changes_text__contains=f"重新加密为密钥 {ring.current.id}").count() == len(
        {(t, pk) for (t, pk, _n), v in before.items() if v}
    )

    call_command("rotate_keys", "--status")
    status = capsys.readouterr().out
    assert f"members_member.id_number_enc：{ring.current.id} " in status and "fernet" not in status

    # a second run: nothing left to do, nothing changed
    after_tokens, key_text = _raw_tokens(), key_file.read_text()
    call_command("rotate_keys", "--resume")
    assert "无需处理" in capsys.readouterr().out
    assert _raw_tokens() == after_tokens and key_file.read_text() == key_text


def test_an_interrupted_rotation_resumes_with_the_same_key_and_lookups_work_meanwhile(key_file, monkeypatch):
    _old_install(key_file)
    before = _snapshot()
    first, last = Member.objects.filter(is_current=True).order_by("pk")[0], Member.objects.order_by("-pk")[0]
    real, calls = key_rotation._rewrite_batch, []

    def dies_after_one_batch(cols, *args, **kwargs):
        calls.append(cols.label)
        if calls.count("members_member") > 1:
            raise KeyboardInterrupt  # the power goes off
        return real(cols, *args, **kwargs)

    monkeypatch.setattr(key_rotation, "_rewrite_batch", dies_after_one_batch)
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate_keys", "--batch-size", "2")
    monkeypatch.setattr(key_rotation, "_rewrite_batch", real)

    ring = crypto.keyring()
    assert ring.rotation and len(ring.keys) == 2
    new_id = ring.current.id
    # half done: the first rows under the new key, the last still under the old one
    assert Member.objects.get(pk=first.pk).id_number_enc.startswith(f"S1.{new_id}.")
    assert not Member.objects.get(pk=last.pk).id_number_enc.startswith(f"S1.{new_id}.")
    assert _snapshot() == before  # every value still reads
    assert id_taken(first.id_number) and id_taken(last.id_number)  # either hash is found
    # a new write meanwhile goes under the new key
    m = make_member(first.branch, name="轮换中新增")
    assert m.id_number_enc.startswith(f"S1.{new_id}.") and id_taken(m.id_number)

    call_command("rotate_keys")  # resumes: no third key
    ring = crypto.keyring()
    assert ring.current.id == new_id and len(ring.keys) == 1 and ring.rotation is None
    assert key_rotation.stragglers(ring, new_id) == {}
    assert {k: v for k, v in _snapshot().items() if k[1] != m.pk or k[0] != "members_member"} == before


def _enc_of(key, row):
    """The ciphertexts of a `_raw_tokens` row (its lookup hashes left out)."""
    cols = next(c for c in key_rotation.encrypted_columns() if c.label == key[0])
    return row[: len(cols.enc)]


def _rows_not_under(key_id: str) -> set:
    """(table, pk) of every row with a value under another key."""
    return {
        k
        for k, row in _raw_tokens().items()
        if any(t and crypto.Keyring.key_id_of(t) != key_id for t in _enc_of(k, row))
    }


@pytest.mark.parametrize("how", [(), ("--resume",)], ids=["plain-run", "resume"])
def test_after_a_cut_a_run_continues_where_it_stopped_and_the_old_key_is_no_longer_needed(
    key_file, monkeypatch, capsys, how
):
    from auditlog.models import LogEntry

    _old_install(key_file)
    before = _snapshot()
    old_ids = {k.id for k in crypto.keyring().keys}
    real, member_batches = key_rotation._rewrite_batch, []

    def power_cut_after_the_first_member_batch(cols, *args, **kwargs):
        if cols.label == "members_member":
            member_batches.append(cols)
            if len(member_batches) > 1:
                raise RuntimeError("断电")
        return real(cols, *args, **kwargs)

    monkeypatch.setattr(key_rotation, "_rewrite_batch", power_cut_after_the_first_member_batch)
    with pytest.raises(RuntimeError, match="断电"):
        call_command("rotate_keys", "--batch-size", "2")
    monkeypatch.setattr(key_rotation, "_rewrite_batch", real)
    capsys.readouterr()

    ring = crypto.keyring()
    new_id = ring.current.id
    assert ring.rotation["to"] == new_id and new_id not in old_ids
    stopped = _raw_tokens()
    left = _rows_not_under(new_id)
    done = {k for k in stopped if k not in left and any(_enc_of(k, stopped[k]))}
    assert len(done) == 3 and len(left) >= 5  # stopped part-way: the case and 2 members done

    call_command("rotate_keys", *how, "--batch-size", "2")
    out = capsys.readouterr().out
    assert f"发现上次未完成的轮换（开始于 {ring.rotation['started']}，新密钥 {new_id}）" in out
    assert "不再生成新密钥" in out and "已接着完成上次中断的轮换" in out
    ring = crypto.keyring()
    assert ring.current.id == new_id and ring.rotation is None and [k.id for k in ring.keys] == [new_id]
    # exactly where it stopped: the rows done before the cut untouched, only those left rewritten, each once
    after = _raw_tokens()
    assert {k: after[k] for k in done} == {k: stopped[k] for k in done}
    assert int(re.search(r"，重新加密 (\d+) 行", out).group(1)) == len(left)
    assert LogEntry.objects.filter(changes_text__contains=f"重新加密为密钥 {new_id}").count() == len(done) + len(left)

    # the old key is no longer needed: the key file's one key opens every value and makes every lookup hash
    only_new = crypto.parse_keyring(key_file.read_text())
    assert [k.id for k in only_new.keys] == [new_id]
    opened = 0
    for cols in key_rotation.encrypted_columns():
        names = (*cols.enc, *cols.hashes.values())
        for pk, *row in cols.model._base_manager.values_list("pk", *names):
            values = dict(zip(names, row))
            for name in cols.enc:
                plain = only_new.decrypt(values[name])
                assert plain == before[(cols.label, pk, name)]
                opened += bool(plain)
                if name in cols.hashes:
                    assert values[cols.hashes[name]] == only_new.lookup_hash(plain)
    assert opened == sum(1 for v in before.values() if v)
    (retired,) = key_file.parent.glob("field.key.retired-*")
    assert {k.id for k in crypto.parse_keyring(retired.read_text()).keys} == old_ids

    # nothing unfinished: --resume changes nothing, a plain run starts a new rotation
    tokens, text = _raw_tokens(), key_file.read_text()
    call_command("rotate_keys", "--resume")
    assert "无需处理" in capsys.readouterr().out
    assert _raw_tokens() == tokens and key_file.read_text() == text
    if not how:
        call_command("rotate_keys")
        out = capsys.readouterr().out
        ring = crypto.keyring()
        assert "发现上次未完成" not in out and ring.current.id != new_id and len(ring.history) == 2
        assert _snapshot() == before


def test_a_cut_while_retiring_the_old_keys_is_finished_by_the_next_run(key_file):
    real = key_rotation._write_durably

    def cut_before_the_final_key_file(ring):
        if ring.rotation is None:
            raise RuntimeError("断电")
        real(ring)

    key_rotation._write_durably = cut_before_the_final_key_file
    try:
        with pytest.raises(RuntimeError, match="断电"):
            call_command("rotate_keys")
    finally:
        key_rotation._write_durably = real
    crypto.reset()
    assert crypto.keyring().rotation and len(list(key_file.parent.glob("field.key.retired-*"))) == 1
    call_command("rotate_keys")
    ring = crypto.keyring()
    assert ring.rotation is None and len(ring.keys) == 1 and len(ring.history) == 1
    assert len(list(key_file.parent.glob("field.key.retired-*"))) == 1  # the same copy, not a second


def test_a_second_run_while_one_runs_is_refused(key_file):
    m = make_member(build_world().branch_a, name="并发轮换")
    plain, text, tokens = m.id_number, key_file.read_text(), _raw_tokens()
    with key_rotation.exclusive():  # another rotate_keys holds the key file
        with pytest.raises(CommandError, match="另一个 rotate_keys 正在运行"):
            call_command("rotate_keys")
        with pytest.raises(CommandError, match="另一个 rotate_keys 正在运行"):
            call_command("rotate_keys", "--resume")
    assert key_file.read_text() == text and _raw_tokens() == tokens
    call_command("rotate_keys")  # the lock went with the other run
    assert crypto.keyring().current.id != crypto.parse_keyring(text).current.id
    assert Member.objects.get(pk=m.pk).id_number == plain


def test_a_concurrent_edit_is_not_overwritten(key_file):
    _old_install(key_file)
    ring, _ = key_rotation.begin(key_rotation.load_key_file())
    cols = next(c for c in key_rotation.encrypted_columns() if c.label == "members_member")
    m = Member.objects.order_by("pk").first()
    stale = list(Member.objects.filter(pk=m.pk).values_list("pk", *cols.enc))  # read by the rotation
    m.set_phone("13911112222")  # ... then a user edits the member
    m.save()
    rewritten, skipped = key_rotation._rewrite_batch(cols, ring, ring.current.id, stale, "测试")
    assert (rewritten, skipped) == (0, 1)
    assert Member.objects.get(pk=m.pk).phone == "13911112222"


def test_refuses_a_missing_or_wrong_key_file(key_file, settings, tmp_path):
    _old_install(key_file)
    tokens = _raw_tokens()
    missing = tmp_path / "nowhere" / "field.key"
    settings.FIELD_ENCRYPTION_KEY_FILE = missing
    with pytest.raises(CommandError, match="找不到字段加密密钥文件"):
        call_command("rotate_keys")
    assert not missing.exists()  # it must not make a fresh key over data it cannot read

    other = tmp_path / "other.key"
    other.write_text(other_text := Fernet.generate_key().decode())
    settings.FIELD_ENCRYPTION_KEY_FILE = other
    with pytest.raises(CommandError, match="与数据库不匹配"):
        call_command("rotate_keys")
    assert other.read_text() == other_text  # untouched

    broken = tmp_path / "broken.key"
    broken.write_text('{"format": "dangjian-field-keys/1", "current": "k1"')
    settings.FIELD_ENCRYPTION_KEY_FILE = broken
    with pytest.raises(CommandError, match="密钥文件.*不对"):
        call_command("rotate_keys")

    settings.FIELD_ENCRYPTION_KEY = key_file.read_text().strip()
    with pytest.raises(CommandError, match="环境变量 FIELD_ENCRYPTION_KEY"):
        call_command("rotate_keys")
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.FIELD_ENCRYPTION_KEY_FILE = key_file
    crypto.reset()
    assert _raw_tokens() == tokens  # nothing changed by any refusal


def test_a_running_process_picks_up_a_replaced_key_file(key_file):
    first = crypto.keyring().current.id
    ring = crypto.keyring()
    new = crypto.new_key()
    crypto.write_keyring(key_file, ring.with_keys(new, (new, *ring.keys)))  # no reset(): another process
    time.sleep(crypto.RECHECK_SECONDS + 0.1)  # a server looks at the key file once a second at most
    assert crypto.keyring().current.id == new.id != first
    assert crypto.encrypt("x").startswith(f"S1.{new.id}.")
