"""manage.py bench --scale tiny|township|county|city [--json PATH] [--smoke] [--doc PATH]

Thin wrapper around the top-level `bench` package (issue 10). It generates the demo data at
the given scale into the configured database (which must be empty, or pass --reset / --reuse)
and prints every figure beside its limit measured in the same run.
"""

import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from dangjian.demo.context import SCALES


class Command(BaseCommand):
    help = "性能基准：生成指定规模的数据，逐项测量并与同次测得的极限比较（结果可写入 JSON 和 Markdown）"

    def add_arguments(self, parser):
        parser.add_argument("--scale", default="township", choices=sorted(SCALES))
        parser.add_argument("--json", dest="json_path", default=None, help="结果写入该 JSON 文件")
        parser.add_argument("--doc", default=None, help="把结果表格写入该 Markdown 文件（如 docs/PERFORMANCE.md）")
        parser.add_argument("--smoke", action="store_true", help="冒烟测试：少量重复、短时并发、300 行名册")
        parser.add_argument("--reset", action="store_true", help="数据库已有数据时先清空再生成")
        parser.add_argument("--reuse", action="store_true", help="不生成，直接在现有数据上测量")
        parser.add_argument("--roster-rows", type=int, default=None, help="名册导入行数（默认 30000，冒烟 300）")
        parser.add_argument("--repeats", type=int, default=None, help="每个页面请求次数（默认 20，冒烟 3）")
        parser.add_argument("--http-seconds", type=float, default=None, help="并发测试时长（默认 15 秒，冒烟 3 秒）")
        parser.add_argument(
            "--skip",
            default="",
            help="跳过的步骤，逗号分隔：generate,compliance,pages,writes,exports,http,report,integrity,import,projection",
        )

    def handle(self, *args, scale, json_path, doc, smoke, reset, reuse, roster_rows, repeats, http_seconds, skip,
               **options):  # fmt: skip
        from bench.markdown import render, update_doc
        from bench.runner import Bench, Options
        from dangjian.orgs.models import Organization

        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)  # pages need a current manifest
        has_data = Organization.objects.exists()
        if reuse and not has_data:
            raise CommandError("数据库是空的，不能 --reuse。")
        if has_data and not reuse:
            if not reset:
                raise CommandError(
                    "数据库已有数据。基准测试会清空并重新生成数据：请用单独的数据库（DANGJIAN_VAR / DATABASE_URL），"
                    "并加 --reset；或加 --reuse 在现有数据上测量。"
                )
            from django.db import transaction

            from dangjian.demo.reset import wipe_all

            self._say("清空现有数据 …")
            with transaction.atomic():
                wipe_all()
        opts = Options(scale=scale, smoke=smoke, reuse=reuse, roster_rows=roster_rows, page_repeats=repeats,
                       http_seconds=http_seconds, skip={s.strip() for s in skip.split(",") if s.strip()})  # fmt: skip
        from django.test import override_settings

        # The benchmark signs in synthetic accounts to measure pages: sign-in policy (second factor,
        # one session per account) is not what it measures, and its own tests cover it.
        with override_settings(TWO_FACTOR_REQUIRED_ROLES=(), ONE_SESSION_PER_STAFF_ACCOUNT=False):
            result = Bench(opts, self._say, Path(json_path) if json_path else None).run()
        self.stdout.write("")
        self.stdout.write(render(result))
        if json_path:
            path = Path(json_path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
            self.stdout.write(f"结果已写入 {path}")
        if doc:
            update_doc(Path(doc), result)
            self.stdout.write(f"表格已写入 {doc}")
        equal = result.get("compliance", {}).get("equal", True)
        errors = result.get("http", {}).get("pages", {}).get("errors", 0)
        if not equal:
            raise CommandError("落实率：应用与 SQL 的数字不一致")
        if errors:
            raise CommandError(f"并发测试出现 {errors} 次错误")
        if result.get("errors"):
            raise CommandError("以下步骤失败：" + "；".join(f"{e['step']}（{e['error']}）" for e in result["errors"]))

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
