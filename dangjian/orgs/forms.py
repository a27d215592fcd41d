"""Forms of the organization pages (Chinese labels, big inputs for phones)."""

from __future__ import annotations

from django import forms

from dangjian.orgs.models import AdminUnit, OrgCategory, OrgType, Post
from dangjian.orgs.services import FIGURE_FIELDS

INPUT = {"class": "form-control form-control-lg"}
SELECT = {"class": "form-select form-select-lg"}


def _date(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请填写正确的日期", "required": "请填写日期"},
    )


class OrgEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="全称", max_length=100, widget=forms.TextInput(attrs=INPUT))
    short_name = forms.CharField(label="简称", max_length=40, required=False, widget=forms.TextInput(attrs=INPUT))
    category = forms.ChoiceField(label="组织类别", choices=OrgCategory.choices, widget=forms.Select(attrs=SELECT))
    founded_on = _date("成立日期", required=False)
    unit = forms.ModelChoiceField(
        label="所在社区/单位", queryset=AdminUnit.objects.none(), required=False, widget=forms.Select(attrs=SELECT)
    )
    contact_name = forms.CharField(label="联系人", max_length=40, required=False, widget=forms.TextInput(attrs=INPUT))
    contact_phone = forms.CharField(
        label="联系电话", max_length=20, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    region = forms.CharField(label="所在行政区划", max_length=60, required=False, widget=forms.TextInput(attrs=INPUT))
    is_active = forms.BooleanField(label="有效（取消勾选即撤销该组织）", required=False)

    def __init__(self, *args, fields: tuple[str, ...], units=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name != "version" and name not in fields:
                del self.fields[name]
        if "unit" in self.fields:
            self.fields["unit"].queryset = units if units is not None else AdminUnit.objects.none()
        if "is_active" in self.fields:
            self.fields["is_active"].widget.attrs["class"] = "form-check-input"


class AddChildForm(forms.Form):
    org_type = forms.ChoiceField(label="组织类型", widget=forms.Select(attrs=SELECT))
    name = forms.CharField(label="全称", max_length=100, widget=forms.TextInput(attrs=INPUT))
    short_name = forms.CharField(label="简称", max_length=40, required=False, widget=forms.TextInput(attrs=INPUT))
    category = forms.ChoiceField(label="组织类别", choices=OrgCategory.choices, widget=forms.Select(attrs=SELECT))
    founded_on = _date("成立日期", required=False)
    unit = forms.ModelChoiceField(
        label="所在社区/单位", queryset=AdminUnit.objects.none(), required=False, widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args, types: list[str], units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_type"].choices = [(t, OrgType(t).label) for t in types]
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units


class PostForm(forms.Form):
    member = forms.ModelChoiceField(label="党员", queryset=None, widget=forms.Select(attrs=SELECT))
    kind = forms.ChoiceField(label="职务", widget=forms.Select(attrs=SELECT))
    started_on = _date("任职日期")

    def __init__(self, *args, members, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda m: f"{m.name}（{m.kind}）"
        self.fields["member"].error_messages["invalid_choice"] = "请从本组织的党员中选择"
        self.fields["kind"].choices = [(k, Post.Kind(k).label) for k in kinds]


class EndPostForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    ended_on = _date("离任日期")


class TermForm(forms.Form):
    started_on = _date("换届日期（选举产生新一届委员会的日期）")
    years = forms.IntegerField(
        label="任期（年）", min_value=1, max_value=10, widget=forms.NumberInput(attrs=INPUT),
        error_messages={"min_value": "任期至少1年", "max_value": "任期不超过10年", "invalid": "请填写整数"},
    )  # fmt: skip
    note = forms.CharField(label="备注（如届次、批准延期情况）", max_length=200, required=False,
                           widget=forms.TextInput(attrs=INPUT))  # fmt: skip


class FigureForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    year = forms.IntegerField(label="年度", min_value=1949, max_value=2100, widget=forms.NumberInput(attrs=INPUT),
                              error_messages={"invalid": "请填写年份"})  # fmt: skip
    households_registered = forms.IntegerField(label="户籍户数", required=False, min_value=0)
    people_registered = forms.IntegerField(label="户籍人口", required=False, min_value=0)
    households_resident = forms.IntegerField(label="常住户数", required=False, min_value=0)
    people_resident = forms.IntegerField(label="常住人口", required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for k in FIGURE_FIELDS:
            self.fields[k].widget.attrs.update({**INPUT, "inputmode": "numeric"})
            self.fields[k].error_messages.update({"invalid": "请填写整数", "min_value": "不能为负数"})
