"""Forms for 组织生活. Attendance is parsed from per-member fields (status_<id>, …) because
the list of expected members depends on the kinds chosen."""

from __future__ import annotations

from django import forms

from dangjian.core import clock
from dangjian.meetings.models import Attendance, Kind, KindRequirement
from dangjian.meetings.services import AttendanceInput
from dangjian.rules.orglife import ACTIVITY_CHOICES

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M")


def _not_after_today(value) -> None:
    """A held meeting (with its attendance) cannot be later than today; planned ones are notices."""
    from django.core.exceptions import ValidationError

    if value and value > clock.today():
        raise ValidationError("会议日期晚于今天：会议开过之后再登记（尚未召开的会议请发会议通知）。")


class MeetingForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="会议类型（可多选）",
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input kind-box"}),
        error_messages={"required": "请至少选择一种会议类型。"},
    )
    date = forms.DateField(label="日期", widget=DATE_WIDGET, error_messages={"invalid": "日期格式不正确。"})
    start_time = forms.TimeField(label="开始时间", widget=TIME_WIDGET, error_messages={"invalid": "时间格式不正确。"})
    end_time = forms.TimeField(label="结束时间", widget=TIME_WIDGET, error_messages={"invalid": "时间格式不正确。"})
    place = forms.CharField(label="地点", max_length=100, widget=forms.TextInput(attrs={"class": "form-control"}))
    topic = forms.CharField(label="主题", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    host = forms.TypedChoiceField(label="主持人", coerce=int, required=False, empty_value=None)
    recorder = forms.TypedChoiceField(label="记录人", coerce=int, required=False, empty_value=None)
    lecturer = forms.CharField(
        label="授课人（党课）", max_length=60, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    agenda = forms.CharField(
        label="议程", required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    minutes = forms.CharField(
        label="会议内容", required=False, widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"})
    )
    decisions = forms.CharField(
        label="会议决定", required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )
    late_reason = forms.CharField(
        label="补录原因（会后超过规定天数录入时必填）",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    plan_item = forms.TypedChoiceField(label="落实的学习计划项（可不选）", coerce=int, required=False, empty_value=None)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, members=(), plan_items=(), **kwargs):
        """`plan_items`: (id, year, label) of the 学习计划 items that apply to the branch."""
        super().__init__(*args, **kwargs)
        choices = [("", "（请选择）")] + [(m.id, m.name) for m in members]
        self.fields["date"].validators.append(_not_after_today)
        for name in ("host", "recorder"):
            self.fields[name].choices = choices
            self.fields[name].widget.attrs["class"] = "form-select"
        self._plan_years = {pk: year for pk, year, _label in plan_items}
        self.fields["plan_item"].choices = [("", "（不关联）")] + [
            (pk, f"{year}年 {label}") for pk, year, label in plan_items
        ]
        self.fields["plan_item"].widget.attrs["class"] = "form-select"

    def clean(self):
        cd = super().clean()
        item, on = cd.get("plan_item"), cd.get("date")
        if item and on and self._plan_years.get(item) != on.year:
            self.add_error("plan_item", f"所选计划项属于{self._plan_years.get(item)}年的学习计划，与会议日期不符。")
        return cd


def parse_attendance(data, members) -> list[AttendanceInput]:
    """Rows for the expected members: 出席 unless the form says otherwise."""
    rows = []
    for m in members:
        status = data.get(f"status_{m.id}", Attendance.Status.PRESENT)
        if status not in Attendance.Status.values:
            status = Attendance.Status.PRESENT
        rows.append(
            AttendanceInput(
                member_id=m.id,
                status=status,
                reason=(data.get(f"reason_{m.id}") or "").strip()[:200],
                elsewhere=bool(data.get(f"elsewhere_{m.id}")),
            )
        )
    return rows


class TalkForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE_WIDGET, error_messages={"invalid": "日期格式不正确。"})
    from_member = forms.TypedChoiceField(label="谈话人", coerce=int)
    to_member = forms.TypedChoiceField(label="谈话对象", coerce=int)
    summary = forms.CharField(
        label="谈话内容摘要", required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    )
    before_life_meeting = forms.BooleanField(label="组织生活会前谈心谈话", required=False)

    def __init__(self, *args, members=(), committee=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_member"].choices = [(m.id, m.name) for m in (committee or members)] + [
            (m.id, m.name) for m in members if committee and m not in committee
        ]
        self.fields["to_member"].choices = [(m.id, m.name) for m in members]
        for name in ("from_member", "to_member"):
            self.fields[name].widget.attrs["class"] = "form-select"


class RequirementForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=list(ACTIVITY_CHOICES.items()))
    period = forms.ChoiceField(label="周期", choices=KindRequirement.Period.choices)
    minimum = forms.IntegerField(label="最少次数", min_value=1, max_value=31)
    note = forms.CharField(label="依据/说明", max_length=200, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="会议台账（Excel）")


class NoticeForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="会议类型（可多选）",
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input kind-box"}),
        error_messages={"required": "请至少选择一种会议类型。"},
    )
    date = forms.DateField(label="日期", widget=DATE_WIDGET, error_messages={"invalid": "日期格式不正确。"})
    start_time = forms.TimeField(label="开始时间", widget=TIME_WIDGET, error_messages={"invalid": "时间格式不正确。"})
    end_time = forms.TimeField(label="结束时间", widget=TIME_WIDGET, error_messages={"invalid": "时间格式不正确。"})
    place = forms.CharField(label="地点", max_length=100, widget=forms.TextInput(attrs={"class": "form-control"}))
    topic = forms.CharField(label="主题", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    note = forms.CharField(
        label="通知事项（可不填）",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
