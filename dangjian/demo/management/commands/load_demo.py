import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dangjian.demo.context import DEMO_STEPS, SCALES, DemoContext, start_for
from dangjian.demo.steps import steps


class Command(BaseCommand):
    help = "载入演示乡镇数据（同一命令总是生成相同的数据）"

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="先清空现有数据")
        parser.add_argument("--if-empty", action="store_true", help="数据库已有数据时什么也不做")
        parser.add_argument("--password", default=None, help="演示账号的初始密码")
        parser.add_argument("--scale", default="township", choices=sorted(SCALES))
        parser.add_argument("--seed", type=int, default=20230201)

    def handle(self, *args, reset, if_empty, password, scale, seed, **options):
        from dangjian.orgs.models import Organization

        if if_empty and Organization.objects.exists():
            self.stdout.write("数据库已有数据，跳过演示数据载入。")
            return
        if not settings.DEMO_MODE and not password:
            raise CommandError("非演示安装不设默认密码：请用 --password 指定初始密码。")
        if Organization.objects.exists() and not reset:
            raise CommandError("数据库已有数据。如需重新生成演示数据，请加 --reset（将清空现有数据）。")
        ctx = DemoContext(scale=scale, seed=seed, password=password or "Dangjian@2023", progress=self._progress)
        ctx.start = start_for(scale, ctx.today)
        started = time.monotonic()
        with transaction.atomic():
            if reset:
                from dangjian.demo.reset import wipe_all

                wipe_all()
            for step, load in steps(DEMO_STEPS):
                t0 = time.monotonic()
                load(ctx)
                self._progress(f"{step} 完成（{time.monotonic() - t0:.1f} 秒）")
        from dangjian.demo.logins import save_demo_logins

        save_demo_logins(ctx.logins)
        self.stdout.write(self.style.SUCCESS(f"演示数据已载入（{time.monotonic() - started:.1f} 秒）。"))

    def _progress(self, text: str) -> None:
        self.stdout.write(f"  · {text}")
        self.stdout.flush()
