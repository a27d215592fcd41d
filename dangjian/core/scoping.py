"""How a model relates to the organisation tree: the `scope = ScopeRule(...)` every model users
see declares. The declaration is part of the base (core's own models carry one); it is
enforced by accounts/scope.py (`visible_to`, `editable_by`), which documents the fields."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q


@dataclass(frozen=True)
class ScopeRule:
    org: str
    member: str = "none"
    # Optional second lookup to an Organization: a row is in scope when either lies in the
    # subtree (accounts: staff by their org, 党员 accounts by their member's branch).
    also_org: str = ""
    # Published downward (study plans, materials): rows of the user's ancestors are visible too,
    # never editable (editable_by keeps to the subtree).
    from_above: bool = False
    # Optional further restriction for the 党员 role: a callable user -> Q (e.g. committee
    # business visible only to the committee). Applied after the `member` rule.
    member_q: object = None

    def org_path_lookup(self) -> str:
        return f"{self.org}__path" if self.org else "path"

    def in_subtree(self, path: str) -> Q:
        q = Q(**{f"{self.org_path_lookup()}__startswith": path})
        if self.also_org:
            q |= Q(**{f"{self.also_org}__path__startswith": path})
        return q
