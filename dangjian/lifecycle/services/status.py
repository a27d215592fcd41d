"""流动党员, 失联, 党籍 and leaving the roster: each recorded as people decided it
(RULES.md: the system alerts, people decide)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dangjian.core.concurrency import save_versioned
from dangjian.lifecycle.models import MobileContact
from dangjian.lifecycle.services.common import EventKind, LifecycleError, _by, _event, _require_current
from dangjian.members.models import Member, Standing


def register_mobile(
    *,
    member: Member,
    since: date,
    destination: str,
    host_org: str,
    contact: str,
    expected_version: int | None,
    user=None,
    today: date,
) -> Member:
    """外出流动登记 (2019 《党员教育管理工作条例》: 流出地党组织 keeps regular contact)."""
    _require_current(member)
    if member.is_mobile:
        raise LifecycleError(f"{member.name}已登记为流动党员")
    if since > today:
        raise LifecycleError("外出日期不能晚于今天")
    if not destination.strip():
        raise LifecycleError("请填写外出流向（去往何地）")
    member.is_mobile = True
    member.mobile_since, member.mobile_destination = since, destination.strip()[:60]
    member.mobile_host_org, member.mobile_contact = host_org.strip()[:100], contact.strip()[:60]
    with transaction.atomic():
        save_versioned(member, expected_version=expected_version)
        _event(member, EventKind.MOBILE_OUT, since, f"外出到{member.mobile_destination}", user)
    return member


def log_contact(
    *,
    member: Member,
    on: date,
    method: str,
    content: str = "",
    contact_person: str = "",
    user=None,
    today: date,
) -> MobileContact:
    """A contact with a 流动党员 (or a 失联 member being sought)."""
    _require_current(member)
    if on > today:
        raise LifecycleError("联系日期不能晚于今天")
    if not (member.is_mobile or member.is_lost):
        raise LifecycleError(f"{member.name}不是流动党员")
    if method not in MobileContact.Method.values:
        raise LifecycleError("请选择联系方式")
    return MobileContact.objects.create(
        member=member,
        date=on,
        method=method,
        content=content[:300],
        contact_person=contact_person[:40],
        created_by=_by(user),
    )


def return_mobile(*, member: Member, on: date, expected_version: int | None, note: str = "", user=None, today: date):
    _require_current(member)
    if not member.is_mobile:
        raise LifecycleError(f"{member.name}不是流动党员")
    if on > today or (member.mobile_since and on < member.mobile_since):
        raise LifecycleError("返回日期应在外出日期之后、今天之前")
    destination = member.mobile_destination
    member.is_mobile = False
    member.mobile_destination = member.mobile_host_org = member.mobile_contact = ""
    member.mobile_since = None
    with transaction.atomic():
        save_versioned(member, expected_version=expected_version)
        _event(member, EventKind.MOBILE_BACK, on, f"从{destination}返回" + (f"：{note}" if note else ""), user)
    return member


# Status changes recorded through record_status; LEAVING ones take the member out of current counts.
STATUS_KINDS = {
    EventKind.LOST: "失联",
    EventKind.FOUND: "恢复联系",
    EventKind.SUSPENDED: "停止党籍",
    EventKind.RESTORED: "恢复党籍",
    EventKind.DIED: "死亡",
    EventKind.EXPELLED: "除名",
    EventKind.WITHDREW: "退党",
}
LEAVING = {EventKind.DIED: "死亡", EventKind.EXPELLED: "除名", EventKind.WITHDREW: "退党"}


def record_status(
    *, member: Member, kind: str, on: date, expected_version: int | None, note: str = "", user=None, today: date
) -> Member:
    """失联 / 恢复联系 / 停止党籍 / 恢复党籍 / 死亡 / 除名 / 退党. Each is decided by people
    (RULES.md: the system alerts, people decide); this records the decision."""
    _require_current(member)
    if kind not in STATUS_KINDS:
        raise LifecycleError("请选择要登记的事项")
    if on > today:
        raise LifecycleError("日期不能晚于今天")
    if on < member.joined_on:
        raise LifecycleError("日期不能早于入党日期")
    text = STATUS_KINDS[kind]
    if kind == EventKind.LOST:
        if member.is_lost:
            raise LifecycleError(f"{member.name}已是失联党员")
        member.is_lost, member.lost_on = True, on
    elif kind == EventKind.FOUND:
        if not member.is_lost:
            raise LifecycleError(f"{member.name}不是失联党员")
        text = f"恢复联系（自{member.lost_on:%Y-%m-%d}失联）" if member.lost_on else text
        member.is_lost, member.lost_on = False, None
    elif kind == EventKind.SUSPENDED:
        if member.standing == Standing.SUSPENDED:
            raise LifecycleError(f"{member.name}已停止党籍")
        member.standing = Standing.SUSPENDED
    elif kind == EventKind.RESTORED:
        if member.standing != Standing.SUSPENDED:
            raise LifecycleError(f"{member.name}的党籍状态正常，无需恢复")
        member.standing = Standing.NORMAL
    else:
        if kind in (EventKind.EXPELLED, EventKind.WITHDREW) and not note.strip():
            raise LifecycleError("请在说明中写明支部大会决定和上级党组织批准情况")
        member.is_current, member.left_on, member.left_reason = False, on, LEAVING[kind]
        member.is_mobile = False
    with transaction.atomic():
        save_versioned(member, expected_version=expected_version)
        _event(member, kind, on, text + (f"：{note.strip()}" if note.strip() else ""), user)
    return member
