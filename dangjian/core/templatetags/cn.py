"""Chinese display helpers: dates as 2023年7月1日, missing values flagged."""

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def cn_date(value):
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return value


@register.filter
def or_missing(value, label="数据缺失"):
    """A missing figure is shown as missing, never as blank or zero."""
    return label if value is None or value == "" else value


@register.filter
def pct(value, digits=1):
    if value is None:
        return "—"
    return f"{value * 100:.{int(digits)}f}%"


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """Current query string with some parameters replaced (pagination, sorting)."""
    params = context["request"].GET.copy()
    for k, v in kwargs.items():
        if v is None or v == "":
            params.pop(k, None)
        else:
            params[k] = v
    return params.urlencode()
