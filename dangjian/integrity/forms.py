from django import forms

from dangjian.integrity.models import Signal, SignalKind


class QueueFilter(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *SignalKind.choices])
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "待处理（待核查、需核实）"), *Signal.Status.choices],
    )


class ReviewForm(forms.Form):
    ACTIONS = [("normal", "正常"), ("verify", "需核实"), ("finding", "转为督查问题")]
    action = forms.ChoiceField(label="核查结论", choices=ACTIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label="理由/意见", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    deadline = forms.DateField(label="整改期限", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    responsible = forms.CharField(label="整改责任人", required=False, max_length=60)


class ScanForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
