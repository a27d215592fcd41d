"""Roster import: files as people keep them, all-or-nothing, every bad row reported.

Three steps, three modules:
- roster_parse: the file through the one spreadsheet reader (core.spreadsheet, bounded, every
  sheet, merged cells, skipped rows) and the cells into model values (core.dates for dates);
- roster_plan: every row checked, existing members matched by the keyed hash of the 公民身份号码;
- roster_apply: the writes (one transaction, one audit entry per written member) and the marked
  copy of a file with errors.
Nothing is written when any row has an error. This module keeps the names callers use.
"""

from dangjian.members import roster_apply, roster_parse, roster_plan
from dangjian.members.models import Member
from dangjian.members.roster_apply import ImportResult, apply_plan, error_workbook
from dangjian.members.roster_parse import (
    ID_AS_NUMBER_MESSAGE,
    MASKED_ID_MESSAGE,
    MAX_ROWS,
    OLD_ID_MESSAGE,
    SPEC,
    ReadError,
    parse_id_cell,
    read_rows,
)
from dangjian.members.roster_plan import (
    BranchIndex,
    ImportError_,
    ImportPlan,
    PlannedRow,
    RowError,
    StalePreview,
    plan_import,
)

__all__ = [
    "ID_AS_NUMBER_MESSAGE",
    "MASKED_ID_MESSAGE",
    "MAX_ROWS",
    "OLD_ID_MESSAGE",
    "SPEC",
    "BranchIndex",
    "ImportError_",
    "ImportPlan",
    "ImportResult",
    "Member",
    "PlannedRow",
    "ReadError",
    "RowError",
    "StalePreview",
    "apply_plan",
    "error_workbook",
    "parse_id_cell",
    "plan_import",
    "read_rows",
    "roster_apply",
    "roster_parse",
    "roster_plan",
]
