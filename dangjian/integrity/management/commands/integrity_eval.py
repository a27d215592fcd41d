import json as jsonlib

from django.core.management.base import BaseCommand

from dangjian.integrity.evaluation import evaluate, generate
from dangjian.integrity.evaluation_cases import CONTAINMENT, evaluate_cases, evaluate_pairwise
from dangjian.integrity.evaluation_cases import sweep as threshold_sweep
from dangjian.integrity.evaluation_db import evaluate_detectors


class Command(BaseCommand):
    help = (
        "评估各类信号的查准率和查全率：先是手写评估集（独立于演示数据和生成器，"
        "dangjian/integrity/eval_cases/），再是程序生成的样例"
    )

    def add_arguments(self, parser):
        parser.add_argument("--branches", type=int, default=200)
        parser.add_argument("--per-branch", type=int, default=10)
        parser.add_argument("--planted", type=int, default=60)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--sweep", action="store_true", help="列出不同阈值下手写评估集的结果")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, branches, per_branch, planted, seed, sweep: bool, json: bool, **options):
        hand = evaluate_cases()
        alone = evaluate_pairwise()
        hand_rows = {
            "记录文字高度雷同（整体扫描）": hand,
            "记录文字高度雷同（逐对单独判断）": alone,
        }
        generated = {
            "记录文字高度雷同": evaluate(generate(branches=branches, per_branch=per_branch, planted=planted, seed=seed))
        }
        generated.update(evaluate_detectors(seed=seed))
        if json:
            out = {"手写评估集": hand_rows, "生成的样例": generated}
            if sweep:
                out["阈值对照"] = threshold_sweep()
            self.stdout.write(jsonlib.dumps(out, ensure_ascii=False, indent=2, default=str))
            return
        self.stdout.write(
            f"一、手写评估集：抄袭 {hand['copied_pairs']} 对（调换语序、改人名数字地名、部分照抄、抄已发布材料等），"
            f"诚实 {hand['honest_pairs']} 对（同模板、同开头、同议程的不同会议）；包含度阈值 {CONTAINMENT}"
        )
        self.stdout.write(f"{'判断方式':<24}{'抄袭':>6}{'发现':>6}{'查准率':>8}{'查全率':>8}")
        for name, r in hand_rows.items():
            self.stdout.write(
                f"{name:<24}{r['copied_pairs']:>6}{r['found']:>6}{r['precision']:>8.3f}{r['recall']:>8.3f}"
            )
        by_how = "，".join(f"{k} {v['found']}/{v['pairs']}" for k, v in hand["by_how"].items())
        self.stdout.write(f"  按抄法查出：{by_how}")
        for label, key in (("  误报（整体扫描）", "false_positives"), ("  漏报（整体扫描）", "missed")):
            if hand[key]:
                self.stdout.write(f"{label}：{hand[key]}")
        for label, key in (("  误报（逐对）", "honest_pairs_flagged"), ("  漏报（逐对）", "missed")):
            if alone[key]:
                self.stdout.write(f"{label}：{alone[key]}")
        if sweep:
            self.stdout.write("  阈值对照（包含度：整体查准/查全，逐对查准/查全）")
            for row in threshold_sweep():
                self.stdout.write(
                    f"  {row['containment']:.1f}：{row['precision']:.3f}/{row['recall']:.3f}，"
                    f"{row['pairwise_precision']:.3f}/{row['pairwise_recall']:.3f}"
                )
        self.stdout.write("")
        self.stdout.write("二、程序生成的样例（与检测代码同源，只作回归参考）")
        self.stdout.write(f"{'信号':<20}{'植入':>6}{'发现':>6}{'查准率':>8}{'查全率':>8}")
        for name, r in generated.items():
            self.stdout.write(f"{name:<20}{r['planted']:>6}{r['found']:>6}{r['precision']:>8.3f}{r['recall']:>8.3f}")
