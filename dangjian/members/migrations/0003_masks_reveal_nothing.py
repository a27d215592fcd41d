"""Masks that reveal nothing: the ID mask keeps only the region code (and check char), so the
birth date beside it no longer completes the number; 外出联系方式 encrypted and masked like phones."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    from dangjian.core import crypto
    from dangjian.members.models import id_mask, mask_contact

    Member = apps.get_model("members", "Member")
    batch = []
    for m in Member._base_manager.only("pk", "id_number_enc", "mobile_contact_mask").iterator(chunk_size=2000):
        if m.id_number_enc:
            m.id_number_mask = id_mask(crypto.decrypt(m.id_number_enc))
        raw = m.mobile_contact_mask  # still the plain text before this migration
        m.mobile_contact_enc = crypto.encrypt(raw) if raw else ""
        m.mobile_contact_mask = mask_contact(raw)
        batch.append(m)
        if len(batch) >= 2000:
            Member._base_manager.bulk_update(batch, ["id_number_mask", "mobile_contact_enc", "mobile_contact_mask"])
            batch = []
    if batch:
        Member._base_manager.bulk_update(batch, ["id_number_mask", "mobile_contact_enc", "mobile_contact_mask"])
    Case = apps.get_model("lifecycle", "DevelopmentCase")
    cases = []
    for c in Case._base_manager.exclude(id_number_enc="").only("pk", "id_number_enc"):
        c.id_number_mask = id_mask(crypto.decrypt(c.id_number_enc))
        cases.append(c)
    Case._base_manager.bulk_update(cases, ["id_number_mask"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("members", "0002_initial"), ("lifecycle", "0001_initial")]

    operations = [
        migrations.RenameField("member", "mobile_contact", "mobile_contact_mask"),
        migrations.AddField(
            model_name="member",
            name="mobile_contact_enc",
            field=models.TextField(blank=True, verbose_name="外出联系方式（密文）"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
