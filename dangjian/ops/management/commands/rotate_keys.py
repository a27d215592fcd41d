"""manage.py rotate_keys: re-encrypt every encrypted field under a new SM4 key (core/key_rotation.py).

  manage.py rotate_keys            a new key, every value re-encrypted (Fernet values too); when
                                   a rotation is unfinished, that one is continued with its key
                                   (said at the start), never a second new key
  manage.py rotate_keys --resume   never a new key: finish a recorded rotation where it stopped
                                   (only values still under an old key are rewritten) or bring
                                   stray values under the current key (nothing to do: no change)
  manage.py rotate_keys --status   what is under which key, changing nothing

One run at a time (a second one while another runs is refused). The server may keep running: it
re-reads the key file when it changes.
"""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from dangjian.core import crypto, key_rotation


class Command(BaseCommand):
    help = "字段加密密钥轮换：生成新密钥（SM4），把身份证号、电话等加密字段全部重新加密，完成后撤下旧密钥"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="每个事务重新加密的行数（默认 500）")
        parser.add_argument(
            "--resume", action="store_true", help="不生成新密钥：只完成上次未完成的轮换，或把零星旧数据改到当前密钥"
        )
        parser.add_argument("--status", action="store_true", help="只显示各加密字段在哪个密钥下，不做修改")

    def handle(self, *args, batch_size, resume, status, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 至少为 1")
        try:
            if status:
                return self._status()
            result = key_rotation.rotate(batch_size=batch_size, resume_only=resume, progress=self.stdout.write)
        except key_rotation.RotationError as exc:
            raise CommandError(str(exc)) from None
        path = crypto.key_file()
        if resume and not result.rows and not result.previews and result.retired_file is None:
            self.stdout.write(f"无需处理：所有加密数据都已在当前密钥 {result.key_id} 下，未做任何修改。")
            return
        if result.continued:
            self.stdout.write(f"已接着完成上次中断的轮换（新密钥 {result.key_id}）。")
        self.stdout.write(
            self.style.SUCCESS(
                f"密钥轮换完成：当前密钥 {result.key_id}（SM4-GCM，检索摘要 HMAC-SM3），重新加密 {result.rows} 行"
                + (f"、{result.previews} 个导入预览" if result.previews else "")
                + "。"
            )
        )
        for table, n in sorted(result.rewritten.items()):
            self.stdout.write(f"  {table}：{n} 行")
        if result.skipped_concurrent:
            self.stdout.write(f"  其中 {result.skipped_concurrent} 行在轮换期间被用户修改过（已是新密钥），未覆盖。")
        self.stdout.write(f"新的密钥文件：{path}（权限 600）。请现在重新打印或抄写保管；此前按旧密钥保管的纸本作废。")
        if result.retired_file:
            self.stdout.write(
                f"旧密钥（{'、'.join(result.retired_ids)}）已撤下，另存为 {result.retired_file}：恢复轮换前的备份时需要它。"
                "请把它与旧备份一起离线保管，然后从本机删除。"
            )

    def _status(self):
        ring = key_rotation.load_key_file()
        self.stdout.write(f"密钥文件 {crypto.key_file()}：当前密钥 {ring.current.id}（{ring.current.alg}）")
        if ring.rotation:
            self.stdout.write(
                f"有一次未完成的轮换（开始于 {ring.rotation.get('started')}，新密钥 {ring.rotation.get('to')}）："
                "再运行 rotate_keys（或 rotate_keys --resume）会用同一把新密钥接着做。"
            )
        for cols in key_rotation.encrypted_columns():
            for name in cols.enc:
                values = cols.model._base_manager.exclude(**{name: ""}).values_list(name, flat=True)
                by_key = Counter(ring.key_id_of(v) for v in values.iterator(chunk_size=2000))
                shown = "、".join(f"{k} {n} 行" for k, n in sorted(by_key.items())) or "无数据"
                self.stdout.write(f"  {cols.label}.{name}：{shown}")
