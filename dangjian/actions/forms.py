from __future__ import annotations

from django import forms

from dangjian.actions.models import Task

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})
TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class PlanForm(forms.Form):
    title = forms.CharField(label="方案名称", max_length=100, widget=forms.TextInput(attrs=TEXT))
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=TEXT))
    started_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="结束日期", required=False, widget=DATE)
    goals = forms.CharField(label="目标任务", required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    categories = forms.CharField(
        label="任务类别（每行一个）",
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
        initial="抓学习促提升\n抓执行促落实\n抓效能促发展",
    )


class TaskForm(forms.Form):
    category = forms.IntegerField(label="类别")
    kind = forms.ChoiceField(label="清单", choices=Task.Kind.choices, widget=forms.Select(attrs=SELECT))
    title = forms.CharField(label="任务", max_length=200, widget=forms.TextInput(attrs=TEXT))
    detail = forms.CharField(label="具体内容", required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2}))
    org = forms.IntegerField(label="责任单位")
    responsible = forms.CharField(label="责任人", max_length=40, widget=forms.TextInput(attrs=TEXT))
    cycle = forms.ChoiceField(label="推进周期", choices=Task.Cycle.choices, widget=forms.Select(attrs=SELECT))
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    deadline = forms.DateField(label="完成时限", widget=DATE)


class ProgressForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE)
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    percent = forms.IntegerField(
        label="完成进度（%）", min_value=0, max_value=100, widget=forms.NumberInput(attrs=TEXT)
    )
    done = forms.BooleanField(label="任务已完成", required=False)
    evidence = forms.FileField(label="佐证材料（图片或PDF）", required=False)


class MilestoneForm(forms.Form):
    title = forms.CharField(label="节点", max_length=100, widget=forms.TextInput(attrs=TEXT))
    due_on = forms.DateField(label="节点时间", widget=DATE)
