from django.core.management.base import BaseCommand

from dangjian.integrity.evaluation import evaluate, generate
from dangjian.integrity.evaluation_db import evaluate_detectors


class Command(BaseCommand):
    help = "用带标注的样例（植入的抄袭和诚实的记录）评估各类信号的查准率和查全率"

    def add_arguments(self, parser):
        parser.add_argument("--branches", type=int, default=200)
        parser.add_argument("--per-branch", type=int, default=10)
        parser.add_argument("--planted", type=int, default=60)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, branches, per_branch, planted, seed, json: bool, **options):
        results = {
            "记录文字高度雷同": evaluate(generate(branches=branches, per_branch=per_branch, planted=planted, seed=seed))
        }
        results.update(evaluate_detectors(seed=seed))
        if json:
            self.stdout.write(__import__("json").dumps(results, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{'信号':<20}{'植入':>6}{'发现':>6}{'查准率':>8}{'查全率':>8}")
        for name, r in results.items():
            self.stdout.write(f"{name:<20}{r['planted']:>6}{r['found']:>6}{r['precision']:>8.3f}{r['recall']:>8.3f}")
