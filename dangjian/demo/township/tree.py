"""treebeard paths for organisations written with bulk_create, and the bulk insert itself."""

from __future__ import annotations

from dangjian.demo.township.plans import BATCH
from dangjian.orgs.models import Organization


class _Tree:
    """Assigns treebeard MP paths (steplen 4) for nodes created with bulk_create."""

    def __init__(self):
        last = Organization.objects.get_last_root_node()
        self.next_root = (Organization._str2int(last.path[: Organization.steplen]) + 1) if last else 1

    def root(self, **fields) -> Organization:
        node = Organization(path=Organization._get_path(None, 1, self.next_root), depth=1, numchild=0, **fields)
        self.next_root += 1
        return node

    @staticmethod
    def child(parent: Organization, **fields) -> Organization:
        parent.numchild += 1
        return Organization(
            path=Organization._get_path(parent.path, parent.depth + 1, parent.numchild),
            depth=parent.depth + 1,
            numchild=0,
            **fields,
        )


def _bulk(model, objs: list, *, batch_size: int = BATCH) -> list:
    return model.objects.bulk_create(objs, batch_size=batch_size)
