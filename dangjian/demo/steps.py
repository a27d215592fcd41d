"""The demo steps, imported directly: (name, load) in DEMO_STEPS order (demo/context.py).

Each app's step is `dangjian/<app>/demo.py:load(ctx)`; to add one, import it here and add
its name to DEMO_STEPS (docs/ARCHITECTURE.md, "Registration points").
"""

from __future__ import annotations

from collections.abc import Callable

from dangjian.actions import demo as actions_demo
from dangjian.demo import township
from dangjian.demo.context import DEMO_STEPS, DemoContext
from dangjian.dues import demo as dues_demo
from dangjian.inspections import demo as inspections_demo
from dangjian.integrity import demo as integrity_demo
from dangjian.lifecycle import demo as lifecycle_demo
from dangjian.meetings import demo as meetings_demo
from dangjian.points import demo as points_demo
from dangjian.reviews import demo as reviews_demo
from dangjian.stats import demo as stats_demo
from dangjian.study import demo as study_demo

Step = Callable[[DemoContext], None]

BY_NAME: dict[str, Step] = {
    "dangjian.demo.township": township.load,
    "dangjian.lifecycle.demo": lifecycle_demo.load,
    "dangjian.meetings.demo": meetings_demo.load,
    "dangjian.study.demo": study_demo.load,
    "dangjian.dues.demo": dues_demo.load,
    "dangjian.points.demo": points_demo.load,
    "dangjian.reviews.demo": reviews_demo.load,
    "dangjian.inspections.demo": inspections_demo.load,
    "dangjian.actions.demo": actions_demo.load,
    "dangjian.stats.demo": stats_demo.load,
    "dangjian.integrity.demo": integrity_demo.load,
}
assert list(BY_NAME) == DEMO_STEPS, "demo/steps.py and DEMO_STEPS list the same steps in the same order"


def steps(names: list[str] | None = None) -> list[tuple[str, Step]]:
    """(name, load) for `names` (default: every step), in the order given."""
    return [(name, BY_NAME[name]) for name in (DEMO_STEPS if names is None else names)]


def run_all(ctx: DemoContext, names: list[str] | None = None) -> None:
    for _name, load in steps(names):
        load(ctx)
