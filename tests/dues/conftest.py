import pytest
from django.utils import timezone


@pytest.fixture
def bases(world):
    """Dues bases for last year and this year for every member of branches A and B."""
    from dangjian.dues.services import BaseRow, set_bases

    year = timezone.localdate().year
    cats = ["在职", "离退休", "农民", "学生", "低保"]
    for branch, members in ((world.branch_a, world.members_a), (world.branch_b, world.members_b)):
        for y in (year - 1, year):
            rows = [
                BaseRow(m.pk, cats[i], "4000" if cats[i] in ("在职", "离退休") else None) for i, m in enumerate(members)
            ]
            set_bases(branch=branch, year=y, rows=rows)
    return world
