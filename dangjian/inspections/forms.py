from __future__ import annotations

from django import forms

from dangjian.inspections.models import CATEGORIES, Inspection

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})
TEXT = {"class": "form-control"}


class InspectionForm(forms.Form):
    title = forms.CharField(label="督查名称", max_length=100, widget=forms.TextInput(attrs=TEXT))
    kind = forms.ChoiceField(
        label="类别", choices=Inspection.KIND_CHOICES[:3], widget=forms.Select(attrs={"class": "form-select"})
    )
    date = forms.DateField(label="督查日期", widget=DATE)
    mode = forms.ChoiceField(
        label="方式", choices=Inspection.Mode.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    team = forms.CharField(label="督查组成员", max_length=200, widget=forms.TextInput(attrs=TEXT))
    method = forms.CharField(label="督查方法", max_length=300, required=False, widget=forms.TextInput(attrs=TEXT))


class FindingForm(forms.Form):
    branch = forms.IntegerField(label="所在支部")
    category = forms.ChoiceField(
        label="问题类别", choices=[(c, c) for c in CATEGORIES], widget=forms.Select(attrs={"class": "form-select"})
    )
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={**TEXT, "rows": 2}))
    evidence_note = forms.CharField(label="证据说明", required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 2}))
    evidence = forms.FileField(label="证据材料（图片或PDF）", required=False)
    measure = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={**TEXT, "rows": 2}))
    responsible = forms.CharField(label="责任人", max_length=40, widget=forms.TextInput(attrs=TEXT))
    deadline = forms.DateField(label="整改时限", widget=DATE)


class ReportForm(forms.Form):
    note = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    done = forms.BooleanField(label="整改已完成，申请销号", required=False)
    evidence = forms.FileField(label="整改佐证（图片或PDF）", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(forms.Form):
    note = forms.CharField(label="销号意见", required=False, max_length=300, widget=forms.TextInput(attrs=TEXT))
    version = forms.IntegerField(widget=forms.HiddenInput)
