"""Ledgers (台账): any list page exports what it shows to .xlsx, filters named in the title row.

Use it from a function view — the same queryset the page shows, already scoped with
`visible_to` and filtered:

    from dangjian.reports.ledger import Column, ledger_response, wants_ledger

    COLUMNS = [
        Column("姓名", "name"),
        Column("所在党支部", "branch.name"),            # dotted attribute path
        Column("入党日期", "joined_on"),                 # dates become Excel dates
        Column("联系电话", "phone_mask"),                # masked values only, never full ones
        Column("状态", lambda m: "流动" if m.is_mobile else ""),  # or any callable
    ]

    @scoped(roles=STAFF_ROLES)
    def member_list(request):
        f = RosterFilter(request.GET, queryset=visible_to(request.user, Member), user=request.user)
        if wants_ledger(request):                        # the page's 导出 link adds ?export=xlsx
            return ledger_response(request, title="党员名册", queryset=f.qs, columns=COLUMNS,
                                   filters=f, org=scope_root(request.user), period="2023年")
        ...

or mix `LedgerExportMixin` into a class-based ListView and set `ledger_title` and
`ledger_columns`. The title row says what, the organization, the period, the filters
shown on the page, who exported and when (dangjian.core.xlsx.title_line); cells that
look like formulas are escaped. In the template: `<a href="?{% query_replace export='xlsx' %}">导出台账</a>`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from dangjian.core import clock
from dangjian.core.xlsx import ledger_bytes, xlsx_response

EXPORT_PARAM = "export"


@dataclass(frozen=True)
class Column:
    header: str
    value: str | Callable  # "branch.name" or a callable(obj)

    def get(self, obj):
        if callable(self.value):
            return self.value(obj)
        current = obj
        for part in self.value.split("."):
            if current is None:
                return None
            current = current.get(part) if isinstance(current, dict) else getattr(current, part, None)
            if callable(current) and not hasattr(current, "all"):
                current = current()
        if hasattr(current, "all") and callable(current.all):  # a related manager
            return "、".join(str(x) for x in current.all())
        return current


def wants_ledger(request) -> bool:
    return request.GET.get(EXPORT_PARAM) == "xlsx"


def describe_filters(filters) -> str:
    """The filters in words: a django-filter FilterSet (its `describe()` if it has one,
    else its bound form's non-empty fields), a bound Form, or a {label: value} dict."""
    if filters is None:
        return ""
    if isinstance(filters, str):
        return filters
    if isinstance(filters, dict):
        return "，".join(f"{k}={v}" for k, v in filters.items() if v not in (None, "", [], False))
    describe = getattr(filters, "describe", None)
    if callable(describe):
        return describe()
    form = getattr(filters, "form", filters)
    if not getattr(form, "is_bound", False) or not form.is_valid():
        return ""
    parts = []
    for name, value in form.cleaned_data.items():
        if value in (None, "", [], False) or name == EXPORT_PARAM:
            continue
        field = form.fields[name]
        if hasattr(field, "choices") and not hasattr(value, "pk"):
            value = dict(field.choices).get(value, value)
        parts.append(f"{field.label or name}={'是' if value is True else value}")
    return "，".join(parts)


def ledger_rows(objects: Iterable, columns: Sequence[Column]) -> Iterable[list]:
    if isinstance(objects, QuerySet) and not objects._prefetch_related_lookups:
        objects = objects.iterator(chunk_size=2000)  # big ledgers without holding every row
    for obj in objects:
        yield [column.get(obj) for column in columns]


def ledger_content(
    *,
    title: str,
    queryset: Iterable,
    columns: Sequence[Column],
    user=None,
    filters=None,
    org=None,
    period: str = "",
) -> bytes:
    return ledger_bytes(
        title=title,
        headers=[c.header for c in columns],
        rows=ledger_rows(queryset, columns),
        org=getattr(org, "name", org or ""),
        period=period,
        user=user,
        filters=describe_filters(filters),
    )


def ledger_response(
    request,
    *,
    title: str,
    queryset: Iterable,
    columns: Sequence[Column],
    filters=None,
    org=None,
    period: str = "",
    filename: str | None = None,
):
    """The .xlsx download of `queryset` (already scoped and filtered by the view)."""
    if org is None:
        from dangjian.accounts.scope import scope_root

        org = scope_root(request.user)
    content = ledger_content(
        title=title, queryset=queryset, columns=columns, user=request.user, filters=filters, org=org, period=period
    )
    return xlsx_response(content, filename or f"{title}{clock.today():%Y%m%d}.xlsx")


class LedgerExportMixin:
    """For class-based list views: `?export=xlsx` returns the filtered list as a ledger.

    Set `ledger_title` and `ledger_columns`; override `ledger_filters()` (default: the
    view's `filterset` attribute if any) and `ledger_period()`."""

    ledger_title = "台账"
    ledger_columns: Sequence[Column] = ()

    def ledger_filters(self):
        return getattr(self, "filterset", None)

    def ledger_period(self) -> str:
        return ""

    def get(self, request, *args, **kwargs):
        if wants_ledger(request):
            self.object_list = self.get_queryset()
            return ledger_response(
                request,
                title=self.ledger_title,
                queryset=self.object_list,
                columns=self.ledger_columns,
                filters=self.ledger_filters(),
                period=self.ledger_period(),
            )
        return super().get(request, *args, **kwargs)
