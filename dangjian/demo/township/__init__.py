"""The foundation demo step: the organization tree, administrative units, members,
committees, terms and accounts (TOWNSHIP.md).

Scales (dangjian.demo.context.SCALES):
  tiny      1 township, 4 branches (1 机关 + 3 社区), 2 communities × 2 groups, ~60 members
  township  exactly TOWNSHIP.md: 17 communities, 106 resident groups, the report's
            户籍/常住 figures, 40 branches (1 机关 + 39 社区), 1,494 members
  county    20 townships under one 区委 (~1,000 branches, ~30,000 members); the first is
            the demo township, the others are generated the same way with varied sizes
  city      a 市委 over 10 区委 × 20 townships (~300,000 members)

Deterministic: all randomness comes from ctx.rng_for("township") and one Faker seeded
with ctx.seed; dates are relative to ctx.today. Everything is written with bulk_create;
treebeard paths, depth and numchild are computed here (steplen 4, see Organization).

The parts: plans.py (what each township holds, before anything is written), tree.py
(treebeard paths for bulk inserts), people.py (members and their dates), step.py (`load`:
the steps in order, each handing its records to the next).
"""

from dangjian.demo.context import SCALES
from dangjian.demo.township.step import load

__all__ = ["SCALES", "load"]
