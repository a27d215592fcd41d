"""What every app's demo step receives. Steps live in `dangjian/<app>/demo.py` as
`def load(ctx: DemoContext) -> None` and are run in DEMO_STEPS order by `load_demo`.

Each step must be deterministic (use `ctx.rng_for("<app>")`), use bulk inserts, and
cover every model of its app (the generated scope test picks objects from demo data).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

# Order matters: later steps read what earlier ones made.
DEMO_STEPS = [
    "dangjian.demo.township",  # organizations, units, members, committees, accounts
    "dangjian.lifecycle.demo",
    "dangjian.meetings.demo",
    "dangjian.study.demo",
    "dangjian.dues.demo",
    "dangjian.points.demo",
    "dangjian.reviews.demo",
    "dangjian.inspections.demo",
    "dangjian.actions.demo",
    "dangjian.stats.demo",
    "dangjian.integrity.demo",
]

SCALES = {
    # townships per installation; a county is many townships under one 区委.
    "tiny": 1,
    "township": 1,
    "county": 20,
    "city": 200,
}


def start_for(scale: str, today: date) -> date:
    """First day of organizational life to generate. A county or city gets one year (the
    current one) at the demo's density, so it stays feasible; tiny/township keep 2023 on."""
    return date(today.year, 1, 1) if scale in ("county", "city") else date(2023, 1, 1)


@dataclass
class DemoContext:
    scale: str = "township"
    seed: int = 20230201
    today: date = field(default_factory=date.today)
    start: date = date(2023, 1, 1)  # the report's year: organizational life starts here
    password: str = ""
    progress: object = None  # callable(str) for long runs
    # Filled in by dangjian.demo.township:
    district: object = None  # 区委 Organization (the root of everything)
    townships: list = field(default_factory=list)  # 镇党委 Organizations
    branches: list = field(default_factory=list)  # 党支部 Organizations (all townships)
    groups: list = field(default_factory=list)  # 党小组 Organizations
    members_by_branch: dict = field(default_factory=dict)  # branch id -> [Member]
    committee_by_branch: dict = field(default_factory=dict)  # branch id -> [Member] current 支委
    secretary_by_branch: dict = field(default_factory=dict)  # branch id -> Member
    users: dict = field(default_factory=dict)  # "admin", "inspector", "secretary:<branch id>", "member:<id>" -> User
    logins: list = field(default_factory=list)  # (role label, username, password) to print

    def rng_for(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    def say(self, text: str) -> None:
        if self.progress:
            self.progress(text)

    @property
    def township(self):
        return self.townships[0] if self.townships else None

    def all_members(self):
        for members in self.members_by_branch.values():
            yield from members
