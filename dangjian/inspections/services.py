"""Writes for inspections, findings and rectification items.

Who may do what:
- create inspections and findings: the township (administrator, inspector) in scope;
- report progress/completion of a rectification item: the branch (secretary, committee) or
  the township administrator;
- close (销号) an item: ONLY the inspection's creator or an inspector-role user — a branch
  secretary can report completion but never close (TOWNSHIP.md: 督查, 整改销号).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dangjian.accounts.roles import Role
from dangjian.accounts.scope import can_write, visible_to
from dangjian.core import clock
from dangjian.core.concurrency import save_versioned
from dangjian.core.errors import ServiceError
from dangjian.inspections.models import (
    CATEGORIES,
    SIGNAL_INSPECTION_KIND,
    Finding,
    Inspection,
    RectificationItem,
)
from dangjian.orgs.models import BRANCH_TYPES, Organization
from dangjian.rules.errors import RuleError

INSPECTING_ROLES = frozenset({Role.ADMIN, Role.INSPECTOR})


class InspectionError(ServiceError, RuleError):
    """A refused write (core.errors.ServiceError; still a RuleError for existing handlers)."""


def _in_scope(user, obj) -> bool:
    return visible_to(user, type(obj)).filter(pk=obj.pk).exists()


def may_inspect(user) -> bool:
    return getattr(user, "role", None) in INSPECTING_ROLES


def may_close(user, item: RectificationItem) -> bool:
    """销号: the inspection's creator or an inspector-role user, with the item in scope."""
    inspection = item.finding.inspection
    if user.role == Role.INSPECTOR or (inspection.created_by_id and inspection.created_by_id == user.pk):
        return _in_scope(user, item)
    return False


def may_report(user, item: RectificationItem) -> bool:
    return can_write(user) and _in_scope(user, item)


def _check_branches(user, branches) -> list[Organization]:
    branches = list(branches)
    for b in branches:
        if b.org_type not in BRANCH_TYPES or not _in_scope(user, b):
            raise InspectionError(f"{b}不是您权限范围内的党支部")
    return branches


@transaction.atomic
def create_inspection(
    *,
    user,
    org: Organization,
    title: str,
    on: date,
    mode: str,
    team: str,
    method: str = "",
    branches=(),
    kind: str = "日常督查",
) -> Inspection:
    if not may_inspect(user) or not _in_scope(user, org):
        raise InspectionError("督查由镇（区）党委或督查人员组织")
    if mode not in Inspection.Mode.values:
        raise InspectionError("请选择明察或暗访")
    if not (title or "").strip() or not (team or "").strip():
        raise InspectionError("请填写督查名称和督查组成员")
    if on > clock.today():
        raise InspectionError("督查日期不能晚于今天")
    branches = _check_branches(user, branches)
    if not branches:
        raise InspectionError("请选择督查的党支部")
    inspection = Inspection.objects.create(
        org=org,
        title=title.strip(),
        kind=kind,
        date=on,
        mode=mode,
        team=team.strip(),
        method=(method or "").strip(),
        created_by=user,
    )
    inspection.branches.set(branches)
    return inspection


@transaction.atomic
def add_finding(
    *,
    user,
    inspection: Inspection,
    branch: Organization,
    category: str,
    description: str,
    evidence_note: str = "",
    evidence: str = "",
    evidence_name: str = "",
    measure: str,
    responsible: str,
    deadline: date,
) -> Finding:
    """A finding and its rectification item, together (every problem gets a measure)."""
    if not may_inspect(user) or not _in_scope(user, inspection):
        raise InspectionError("只有督查人员可以登记发现的问题")
    if category not in CATEGORIES:
        raise InspectionError("问题类别无效")
    _check_branches(user, [branch])
    if not (description or "").strip():
        raise InspectionError("请填写问题描述")
    if not (measure or "").strip() or not (responsible or "").strip():
        raise InspectionError("请填写整改措施和责任人")
    if deadline < inspection.date:
        raise InspectionError("整改时限不能早于督查日期")
    finding = Finding.objects.create(
        inspection=inspection,
        branch=branch,
        category=category,
        description=description.strip(),
        evidence_note=(evidence_note or "").strip(),
        evidence=evidence,
        evidence_name=evidence_name[:200],
        created_by=user,
    )
    RectificationItem.objects.create(
        finding=finding, measure=measure.strip(), responsible=responsible.strip()[:40], deadline=deadline
    )
    inspection.branches.add(branch)
    return finding


def create_finding_from_signal(
    *,
    user,
    branch: Organization,
    category: str = "弄虚作假",
    description: str,
    evidence: str,
    deadline: date,
    responsible: str,
) -> Finding:
    """For the integrity queue: a confirmed signal becomes a finding with its rectification
    item, under this year's "诚信信号核查" inspection of the branch's township (created when
    missing). `evidence` is a text description (the signal's details)."""
    township = (
        Organization.objects.filter(
            path__in=[branch.path[:i] for i in range(Organization.steplen, len(branch.path), Organization.steplen)],
            org_type="committee",
        )
        .order_by("-depth")
        .first()
        or Organization.objects.get_parent(branch)
        or branch
    )
    today = clock.today()
    with transaction.atomic():
        inspection = (
            Inspection.objects.filter(org=township, kind=SIGNAL_INSPECTION_KIND, date__year=today.year)
            .order_by("id")
            .first()
        )
        if inspection is None:
            inspection = Inspection.objects.create(
                org=township,
                title=f"{today.year}年诚信信号核查",
                kind=SIGNAL_INSPECTION_KIND,
                date=today,
                mode=Inspection.Mode.UNANNOUNCED,
                team=getattr(user, "display_name", "") or "督查组",
                method="核查系统发现的诚信信号",
                created_by=user,
            )
        inspection.branches.add(branch)
        return add_finding(
            user=user,
            inspection=inspection,
            branch=branch,
            category=category if category in CATEGORIES else "弄虚作假",
            description=description,
            evidence_note=evidence,
            measure="核实情况，如实更正记录并说明原因",
            responsible=responsible,
            deadline=deadline,
        )


def report_progress(
    *,
    user,
    item: RectificationItem,
    note: str,
    done: bool,
    on: date | None = None,
    evidence: str = "",
    evidence_name: str = "",
    expected_version: int,
) -> RectificationItem:
    """The branch reports progress (整改中) or completion (with evidence). Never closes."""
    if not may_report(user, item):
        raise InspectionError("您不能报告此整改事项")
    if item.status == RectificationItem.Status.DONE:
        raise InspectionError("该事项已销号")
    note = (note or "").strip()
    if not note:
        raise InspectionError("请填写整改情况")
    if done and not (evidence or item.completion_evidence or len(note) >= 15):
        raise InspectionError("报告整改完成须上传佐证材料，或详细说明整改情况（至少15字）")
    item.completion_note = note
    item.status = RectificationItem.Status.IN_PROGRESS
    item.reported_by = user
    if evidence:
        item.completion_evidence = evidence
        item.completion_evidence_name = evidence_name[:200]
    if done:
        item.reported_on = on or clock.today()
    save_versioned(item, expected_version=expected_version)
    return item


def close_item(*, user, item: RectificationItem, note: str, on: date | None = None, expected_version: int):
    """销号: only the inspector (inspection creator or inspector role)."""
    if not may_close(user, item):
        raise InspectionError("只有督查人员（本次督查的创建人或督查角色）才能销号；支部可报告整改完成")
    if item.status == RectificationItem.Status.DONE:
        raise InspectionError("该事项已销号")
    if not item.reported_on:
        # A progress note (整改中) is not a completion report: 销号 only after 报告整改完成.
        raise InspectionError("支部尚未报告整改完成，不能销号（整改中的事项须先由支部报告完成）")
    item.status = RectificationItem.Status.DONE
    item.closed_on = on or clock.today()
    item.closed_by = user
    item.close_note = (note or "").strip()[:300] or "整改到位，同意销号"
    save_versioned(item, expected_version=expected_version)
    return item


def reopen_item(*, user, item: RectificationItem, note: str, expected_version: int) -> RectificationItem:
    """The inspector sends a reported completion back (整改不到位)."""
    if not may_close(user, item):
        raise InspectionError("只有督查人员可以退回整改")
    if item.status == RectificationItem.Status.DONE:
        raise InspectionError("该事项已销号")
    item.reported_on = None
    item.close_note = ("退回：" + (note or "").strip())[:300]
    save_versioned(item, expected_version=expected_version)
    return item
