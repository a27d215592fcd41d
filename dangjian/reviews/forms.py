from __future__ import annotations

from django import forms

from dangjian.core import params
from dangjian.core.uploads import store_upload
from dangjian.rules.appraisal import CORRECTION_DEFAULT_MONTHS, CORRECTION_MAX_MONTHS, DISPOSAL_MEASURES

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"})
TEXT = {"class": "form-control"}


def year_param(request, default: int) -> int:
    """?year=2023 → 2023; anything odd → default (core.params, never a 500)."""
    return params.year(request.GET, default=default)


def int_or_none(value) -> int | None:
    """An id posted back, or None (core.params: a value no key can hold is None too)."""
    return params.pk_or_none(value)


def save_document(f, subdir: str) -> tuple[str, str]:
    """Store an uploaded document (image, PDF, Word); ('', '') when none was given."""
    if not f:
        return "", ""
    return store_upload(f, subdir=subdir, kinds=("image", "pdf", "docx")), f.name


class StudyForm(forms.Form):
    meeting = forms.IntegerField(required=False, label="学习教育会议")
    note = forms.CharField(required=False, label="学习教育情况", widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    on = forms.DateField(required=False, label="日期", widget=DATE_WIDGET)
    version = forms.IntegerField(widget=forms.HiddenInput)


class SelfForm(forms.Form):
    text = forms.CharField(label="个人自评", min_length=10, widget=forms.Textarea(attrs={**TEXT, "rows": 5}))


class DisposalForm(forms.Form):
    measure = forms.ChoiceField(label="处置方式", choices=[(m, m) for m in DISPOSAL_MEASURES])
    started_on = forms.DateField(label="开始日期", widget=DATE_WIDGET)
    months = forms.IntegerField(
        label="改正期限（月，限期改正）",
        required=False,
        min_value=1,
        max_value=CORRECTION_MAX_MONTHS,
        initial=CORRECTION_DEFAULT_MONTHS,
        widget=forms.NumberInput(attrs=TEXT),
    )
    reason = forms.CharField(label="处置理由", widget=forms.Textarea(attrs={**TEXT, "rows": 3}))


class StepForm(forms.Form):
    done_on = forms.DateField(label="完成日期", widget=DATE_WIDGET)
    decision = forms.CharField(label="决定/意见", widget=forms.Textarea(attrs={**TEXT, "rows": 2}))
    meeting = forms.IntegerField(required=False)
    document = forms.FileField(required=False, label="文书（图片、PDF或Word）")
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    decided_on = forms.DateField(label="决定日期", widget=DATE_WIDGET)
    decision = forms.CharField(label="最终决定", widget=forms.Textarea(attrs={**TEXT, "rows": 2}))
    corrected = forms.BooleanField(required=False, label="已按期改正（限期改正）")
    version = forms.IntegerField(widget=forms.HiddenInput)


class ManualScoreForm(forms.Form):
    criterion = forms.IntegerField()
    score = forms.IntegerField(min_value=0, max_value=100, label="得分")
    evidence = forms.CharField(label="依据", widget=forms.Textarea(attrs={**TEXT, "rows": 2}))
    document = forms.FileField(required=False, label="佐证材料")


class CriterionForm(forms.Form):
    name = forms.CharField(max_length=40, label="标准")
    description = forms.CharField(max_length=300, required=False, label="说明")
    weight = forms.IntegerField(min_value=1, max_value=100, label="权重")
    order = forms.IntegerField(min_value=0, max_value=99, required=False, label="顺序")
    manual = forms.BooleanField(required=False, label="人工评价")
