"""Writes for 党员量化积分: the township's rule set, manual items (proposed with evidence,
effective only after another person approves), a branch confirming its year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import WRITER_ROLES
from dangjian.core import clock
from dangjian.core.audit import log_bulk
from dangjian.core.errors import ServiceError
from dangjian.points.models import BranchPointsYear, ManualPoint, PointRule, PointRuleSet
from dangjian.points.selectors import DERIVED_CODES, ruleset_for
from dangjian.rules.errors import RuleError
from dangjian.rules.points import PointItem, validate_rule

SAME_PERSON = "提出人不能审核自己提出的积分项目，请由另一名支委或上级党组织审核（四眼原则）。"


class PointsError(ServiceError):
    """A refused write, with the reason in Chinese (core.errors.ServiceError)."""


@dataclass
class RuleRow:
    code: str
    label: str
    points: int
    cap_per_year: int | None
    source: str
    per: int = 1
    basis: str = ""
    is_base: bool = False


def save_ruleset(*, org, year: int, rows: list[RuleRow], ranking_enabled: bool, user=None) -> PointRuleSet:
    """Replace the year's rule set of `org`. Every rule is checked by rules.points.validate_rule:
    no rule may count logins, clicks, likes or time online."""
    codes = set()
    for r in rows:
        try:
            validate_rule(PointItem(r.code, r.label, r.points, r.cap_per_year, r.source, r.per, r.basis, r.is_base))
        except RuleError as exc:
            raise PointsError(exc.message) from None
        if not r.code or not r.label:
            raise PointsError("每条规则须有代码和名称")
        if r.code in codes:
            raise PointsError(f"规则代码重复：{r.code}")
        codes.add(r.code)
        if r.source == "derived" and r.code not in DERIVED_CODES:
            raise PointsError(f"“{r.label}”不是系统能从台账得出的项目，只能设为手工录入并审核")
        if r.source not in ("derived", "manual"):
            raise PointsError("来源应为台账自动得出或手工录入")
    with transaction.atomic():
        rs, _ = PointRuleSet.objects.get_or_create(org=org, year=year, defaults={"updated_by": user})
        rs.ranking_enabled, rs.updated_by, rs.version = ranking_enabled, user, rs.version + 1
        rs.save()
        rs.rules.all().delete()
        created = PointRule.objects.bulk_create(
            [
                PointRule(
                    ruleset=rs,
                    code=r.code,
                    label=r.label,
                    points=r.points,
                    cap_per_year=r.cap_per_year,
                    source=r.source,
                    per=r.per,
                    basis=r.basis,
                    is_base=r.is_base,
                    position=i,
                )
                for i, r in enumerate(rows)
            ]
        )
        log_bulk(created, note=f"{year}年积分规则")
    return rs


def propose(*, member, year: int, code: str, on: date, description: str, evidence: str, user) -> ManualPoint:
    """A committee member (or the secretary/admin) proposes a manual item with evidence."""
    if getattr(user, "role", None) not in WRITER_ROLES:
        raise PointsError("只有支委、书记或镇党委管理员可以登记积分项目")
    _, items = ruleset_for(member.branch, year)
    manual = {i.code: i for i in items if i.source == "manual"}
    if code not in manual:
        raise PointsError("请选择手工积分项目（参加会议、党费、学习等由台账自动计算，不能手工登记）")
    if not (description or "").strip():
        raise PointsError("请填写事由")
    if not (evidence or "").strip():
        raise PointsError("请填写依据（证明材料、会议记录或表彰文号）")
    if on is None or on.year != year or on > clock.today():
        raise PointsError("日期应在所选年度内，且不晚于今天")
    return ManualPoint.objects.create(
        member=member,
        year=year,
        code=code,
        date=on,
        description=description.strip()[:200],
        evidence=evidence.strip()[:300],
        proposed_by=user,
    )


def decide(*, item: ManualPoint, user, approve: bool, note: str = "") -> ManualPoint:
    if item.status != ManualPoint.Status.PENDING:
        raise PointsError("该项目已审核")
    if user.pk == item.proposed_by_id:
        raise PointsError(SAME_PERSON)
    if getattr(user, "role", None) not in WRITER_ROLES:
        raise PointsError("您的角色不能审核")
    item.status = ManualPoint.Status.APPROVED if approve else ManualPoint.Status.REJECTED
    item.decided_by, item.decided_at, item.decision_note = user, timezone.now(), (note or "")[:200]
    item.version += 1
    item.save()
    return item


def confirm_year(*, branch, year: int, user, note: str = "") -> BranchPointsYear:
    obj, _ = BranchPointsYear.objects.update_or_create(
        branch=branch, year=year, defaults={"confirmed_by": user, "note": note[:200]}
    )
    return obj
