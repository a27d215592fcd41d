"""审计日志: list with filters and an xlsx export, for the township administrator only.

Which entries an administrator sees (docs/SECURITY.md §审计日志):
  * entries about an object that is in their scope now (`visible_to` per model), and
  * entries written by an account within their scope (staff whose org lies in the subtree,
    党员 whose branch does) — this keeps deletions visible, since a deleted object is no
    longer "in scope".
Entries about objects elsewhere made by accounts elsewhere stay hidden, so a township
administrator never reads another township's history.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from auditlog.models import LogEntry
from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from dangjian.accounts.access import scoped
from dangjian.accounts.models import User
from dangjian.accounts.roles import ADMIN_ONLY
from dangjian.accounts.scope import ScopeNotDeclared, rule_for, scope_root, visible_to
from dangjian.core.audit import (
    DEFAULT_REPR,  # noqa: F401 — shell.exports reads it from here
    VALUE_WORDS,
    change_rows,
    entry_model_label,
    model_name,
    object_name,
)

PAGE_SIZE = 50
EXPORT_LIMIT = 50000
ACTION_LABELS = {
    LogEntry.Action.CREATE: "新增",
    LogEntry.Action.UPDATE: "修改",
    LogEntry.Action.DELETE: "删除",
    getattr(LogEntry.Action, "ACCESS", 3): "查看",
}


def project_models() -> list:
    return [m for m in apps.get_models() if m.__module__.startswith("dangjian.") and not m._meta.abstract]


def scoped_models() -> list:
    """Audited project models with a scope rule (background jobs, for one, are not audited)."""
    from auditlog.registry import auditlog

    out = []
    for model in project_models():
        if not auditlog.contains(model):
            continue
        try:
            rule_for(model)
        except ScopeNotDeclared:
            continue
        out.append(model)
    return out


def users_in_scope(user):
    root = scope_root(user)
    if root is None:
        return User.objects.none()
    return User.objects.filter(Q(org__path__startswith=root.path) | Q(member__branch__path__startswith=root.path))


def audit_entries_for(user):
    """LogEntry rows the administrator `user` may read (see module docstring)."""
    if scope_root(user) is None:
        return LogEntry.objects.none()
    cts = ContentType.objects.get_for_models(*scoped_models())
    cond = Q(actor__in=users_in_scope(user).values("pk"))
    for model, ct in cts.items():
        cond |= Q(content_type=ct, object_id__in=visible_to(user, model).values("pk"))
    return LogEntry.objects.filter(cond)


class AuditFilter(forms.Form):
    model = forms.ChoiceField(label="数据类型", required=False)
    actor = forms.ChoiceField(label="操作人", required=False)
    action = forms.ChoiceField(
        label="操作",
        required=False,
        choices=[("", "全部")] + [(str(k), v) for k, v in ACTION_LABELS.items()],
    )
    start = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label="对象（名称或编号）", required=False, max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        cts = ContentType.objects.get_for_models(*scoped_models())
        choices = sorted(((str(ct.pk), _model_name(m)) for m, ct in cts.items()), key=lambda c: c[1])
        self.fields["model"].choices = [("", "全部")] + choices
        actors = users_in_scope(user).order_by("username").values_list("pk", "username", "full_name")[:2000]
        self.fields["actor"].choices = [("", "全部")] + [
            (str(pk), f"{full or name}（{name}）") for pk, name, full in actors
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError("开始日期不能晚于结束日期。")
        return data


def _filtered(request):
    form = AuditFilter(request.GET or None, user=request.user)
    qs = audit_entries_for(request.user)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        if d["model"]:
            qs = qs.filter(content_type_id=int(d["model"]))
        if d["actor"]:
            qs = qs.filter(actor_id=int(d["actor"]))
        if d["action"] != "" and d["action"] is not None:
            qs = qs.filter(action=int(d["action"]))
        tz = timezone.get_current_timezone()
        if d["start"]:
            qs = qs.filter(timestamp__gte=datetime.combine(d["start"], time.min, tzinfo=tz))
        if d["end"]:
            qs = qs.filter(timestamp__lt=datetime.combine(d["end"] + timedelta(days=1), time.min, tzinfo=tz))
        if d["q"]:
            q = d["q"].strip()
            cond = Q(object_repr__icontains=q)
            if q.isdigit():
                cond |= Q(object_pk=q)
            qs = qs.filter(cond)
    return form, qs.select_related("actor", "content_type").order_by("-timestamp", "-pk")


# The words come from core.audit, shared with each record's 修改记录 (and the export uses
# these names).
_changes = change_rows
_model_name = model_name
_model_label = entry_model_label
_object_name = object_name


def _point_item(code: str) -> str:
    from dangjian.points.selectors import item_label

    return item_label(code)


def _meeting_kinds(codes: str) -> str:
    from dangjian.meetings.selectors import kind_labels

    return kind_labels(codes)


FILE_TYPES = {"application/pdf": "PDF文件", "text/plain": "文本文件", "text/csv": "CSV表格"}


def _file_type(mime: str) -> str:
    mime = mime.lower()
    if mime in FILE_TYPES:
        return FILE_TYPES[mime]
    if mime.startswith("image/"):
        return "图片"
    if "word" in mime:
        return "Word文档"
    if "sheet" in mime or "excel" in mime:
        return "Excel表格"
    if "presentation" in mime or "powerpoint" in mime:
        return "演示文稿"
    return "文件"


VALUE_WORDS.update(
    {
        "points.manualpoint.code": _point_item,
        "meetings.meetingnotice.kinds": _meeting_kinds,
        "meetings.attachment.content_type": _file_type,
    }
)


@scoped(roles=ADMIN_ONLY)
def audit_list(request):
    form, qs = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": e,
            "action": ACTION_LABELS.get(e.action, str(e.action)),
            "model": _model_label(e),
            "name": _object_name(e),
            "changes": _changes(e),
        }
        for e in page.object_list
    ]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "shell/audit.html",
        {"form": form, "page": page, "rows": rows, "query": params.urlencode()},
    )


def describe_filters(form) -> str:
    filters = []
    if form.is_bound and form.is_valid():
        for name, value in form.cleaned_data.items():
            if value not in (None, ""):
                field = form.fields[name]
                shown = dict(field.choices).get(value, value) if hasattr(field, "choices") else value
                filters.append(f"{field.label}={shown}")
    return "，".join(filters)


@scoped(roles=ADMIN_ONLY)
def audit_export(request):
    """Streamed xlsx (core.exports); more than a few thousand entries go to the background."""
    from dangjian.core import exports

    _, qs = _filtered(request)
    total = min(qs.count(), EXPORT_LIMIT)
    stamp = timezone.localtime().strftime("%Y%m%d")
    name = f"审计日志-{stamp}.xlsx"
    return exports.respond(request, "audit", total=total, filename=name, org=scope_root(request.user))
