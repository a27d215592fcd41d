"""Writes: running a scan and reviewing signals."""

from __future__ import annotations

import time
from datetime import date

from django.db import transaction
from django.utils import timezone

from dangjian.accounts.roles import TOWNSHIP_ROLES
from dangjian.core import clock
from dangjian.core.audit import log_bulk
from dangjian.core.cache import data_version
from dangjian.core.errors import ServiceError
from dangjian.integrity.detectors import DETECTORS, Found
from dangjian.integrity.models import ScanRun, Signal


class ReviewError(ServiceError):
    """A refused review, with the reason in Chinese (core.errors.ServiceError)."""


def source_digest(root, year: int) -> str:
    """Has anything changed since the last scan? The cache's data version (core.cache): every
    write to any project table — a QR sign-in, a 代签, an edited record — gives it a new value,
    so 重新扫描 runs; nothing written since → the scan is skipped. Scoped to `root`'s
    subtree; inside an uncommitted transaction the version is always new (never skipped). (The scan's own ScanRun row is
    not a data write; the signals it stores are, which is why the version is read after them.)"""
    import hashlib

    # The version joins the tokens of `root` and its ancestors: hashed to fit the 64-character column.
    return hashlib.sha256(data_version(root).encode()).hexdigest()


def run_scan(*, root, year: int, user=None, force: bool = False, progress=None) -> ScanRun:
    """Run every detector over `root`'s subtree for `year` and update the review queue.

    Reviewed signals whose records have not changed keep their decision; if the records
    changed, the signal re-opens. Patterns no longer found are marked not current.
    """
    started = time.monotonic()
    digest = source_digest(root, year)
    last = ScanRun.objects.filter(org=root, year=year, skipped=False).order_by("-created_at").first()
    if last and last.source_digest == digest and not force:
        return ScanRun.objects.create(org=root, year=year, started_by=user, source_digest=digest, skipped=True)
    found: list[Found] = []
    for detector in DETECTORS:
        t0 = time.monotonic()
        found.extend(detector(root, year))
        if progress:
            progress(f"{detector.__name__}: {time.monotonic() - t0:.1f} 秒")
    new = _store(root, year, found)
    return ScanRun.objects.create(
        org=root,
        year=year,
        started_by=user,
        source_digest=source_digest(root, year),  # after the signals were stored
        seconds=round(time.monotonic() - started, 2),
        documents=len(found),
        found=len(found),
        new=new,
    )


@transaction.atomic
def _store(root, year: int, found: list[Found]) -> int:
    existing = {
        s.key: s
        for s in Signal.objects.filter(year=year, org__path__startswith=root.path).only(
            "id", "key", "state_digest", "status", "is_current"
        )
    }
    seen: set[str] = set()
    to_create: list[Signal] = []
    to_update: list[Signal] = []
    for f in found:
        key = f.key
        if key in seen:
            continue
        seen.add(key)
        digest = f.state_digest
        old = existing.get(key)
        if old is None:
            to_create.append(
                Signal(
                    kind=f.kind,
                    org_id=f.org_id,
                    year=f.year,
                    strength=round(f.strength, 3),
                    title=f.title[:200],
                    explanation=f.explanation,
                    records=f.records,
                    key=key,
                    state_digest=digest,
                    details=f.details,
                )
            )
            continue
        changed = old.state_digest != digest
        if changed or not old.is_current:
            old.strength = round(f.strength, 3)
            old.title = f.title[:200]
            old.explanation = f.explanation
            old.records = f.records
            old.details = f.details
            old.state_digest = digest
            old.is_current = True
            if changed and old.status != Signal.Status.OPEN:
                # The records changed since the review: a person looks again.
                old.status = Signal.Status.OPEN
                old.review_reason = f"（相关记录已修改，重新待核查）{old.review_reason}"[:2000]
            to_update.append(old)
    created = Signal.objects.bulk_create(to_create, batch_size=500)
    log_bulk(created, note="诚信信号扫描：新发现")
    if to_update:
        log_bulk(to_update, action="update", note="诚信信号扫描：记录变化后更新")
    Signal.objects.bulk_update(
        to_update,
        [
            "strength",
            "title",
            "explanation",
            "records",
            "details",
            "state_digest",
            "is_current",
            "status",
            "review_reason",
        ],
        batch_size=500,
    )
    gone = [k for k in existing if k not in seen]
    if gone:
        Signal.objects.filter(key__in=gone).update(is_current=False)
    return len(to_create)


def _check_reviewer(user) -> None:
    if user.role not in TOWNSHIP_ROLES:
        raise ReviewError("只有督查人员或镇党委管理员可以核查诚信信号")


def mark_normal(*, user, signal: Signal, reason: str) -> Signal:
    _check_reviewer(user)
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("标记为“正常”须写明理由（例如：经核对签到表和照片，记录属实）")
    return _review(signal, user, Signal.Status.NORMAL, reason)


def mark_verify(*, user, signal: Signal, reason: str = "") -> Signal:
    _check_reviewer(user)
    return _review(signal, user, Signal.Status.VERIFY, (reason or "").strip())


def to_finding(*, user, signal: Signal, deadline: date, responsible: str, measure: str = ""):
    """Turn a signal into an inspection finding with a rectification item (issue 8's module)."""
    _check_reviewer(user)
    if deadline is None:
        raise ReviewError("请填写整改期限")
    if deadline <= clock.today():
        raise ReviewError("整改期限应晚于今天")
    if not (responsible or "").strip():
        raise ReviewError("请填写整改责任人")
    from dangjian.inspections.services import create_finding_from_signal

    with transaction.atomic():
        finding = create_finding_from_signal(
            user=user,
            branch=signal.org,
            category="弄虚作假",
            description=f"{signal.get_kind_display()}：{signal.title}。{signal.explanation}"
            + (f"整改要求：{measure}" if measure else ""),
            evidence="；".join(r.get("label", "") for r in signal.records),
            deadline=deadline,
            responsible=responsible.strip(),
        )
        signal.finding_id = finding.pk
        _review(signal, user, Signal.Status.FINDING, measure or "已转为督查问题，限期整改")
    return finding


def _review(signal: Signal, user, status: str, reason: str) -> Signal:
    signal.status = status
    signal.review_reason = reason
    signal.reviewed_by = user
    signal.reviewed_at = timezone.now()
    signal.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at", "finding_id", "updated_at"])
    return signal
