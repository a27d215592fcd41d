"""Writes of the member lifecycle. Every change to a member goes through here: saved with
optimistic locking (save_versioned), recorded as a MemberEvent, audited by auditlog.

Hard rules raise StepBlocked (message cites the article); soft rules come back as warnings
that the view shows after saving (DESIGN principle 4: the system alerts, people decide).

One module a stage: application (申请), activist (积极分子), candidate (发展对象 and the
vote), admission (预备), probation (转正), transfers (组织关系转接), status (流动, 失联,
党籍); steps dispatches a recorded step to its stage. The names below are the public API.
"""

from dangjian.lifecycle.services.activist import case_review_dates
from dangjian.lifecycle.services.application import create_case
from dangjian.lifecycle.services.common import (
    EventKind,
    Kind,
    LifecycleError,
    Result,
    StepBlocked,
    full_members_count,
    probation_due_on,
    status_on,
)
from dangjian.lifecycle.services.probation import record_probation_decision
from dangjian.lifecycle.services.status import (
    LEAVING,
    STATUS_KINDS,
    log_contact,
    record_status,
    register_mobile,
    return_mobile,
)
from dangjian.lifecycle.services.steps import case_checks, next_steps, record_step
from dangjian.lifecycle.services.transfers import (
    township_of,
    transfer_destinations,
    transfer_in,
    transfer_out,
)

__all__ = [
    "LEAVING",
    "STATUS_KINDS",
    "EventKind",
    "Kind",
    "LifecycleError",
    "Result",
    "StepBlocked",
    "case_checks",
    "case_review_dates",
    "create_case",
    "full_members_count",
    "log_contact",
    "next_steps",
    "probation_due_on",
    "record_probation_decision",
    "record_status",
    "record_step",
    "register_mobile",
    "return_mobile",
    "status_on",
    "township_of",
    "transfer_destinations",
    "transfer_in",
    "transfer_out",
]
