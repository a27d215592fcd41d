from django import forms

from dangjian.stats.models import TownshipYearStats

FIGURE_FIELDS = [f for f, _l, _u in TownshipYearStats.FIGURES]


class YearStatsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = TownshipYearStats
        fields = [*FIGURE_FIELDS, "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FIGURE_FIELDS:
            f = self.fields[name]
            f.required = False
            f.help_text = "没有统计到请留空（记为数据缺失，不当作0）"
            f.widget.attrs.update({"class": "form-control", "inputmode": "decimal"})
        self.fields["note"].widget.attrs.update({"class": "form-control"})
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class IndustryForm(forms.Form):
    crop = forms.CharField(label="产业（作物）", max_length=30, required=False)
    area_mu = forms.DecimalField(label="种植面积（亩）", required=False, min_value=0, max_digits=12, decimal_places=1)
    revenue = forms.DecimalField(label="收入（万元）", required=False, min_value=0, max_digits=14, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.update({"class": "form-control"})

    def clean(self):
        data = super().clean()
        if not data.get("crop") and (data.get("area_mu") is not None or data.get("revenue") is not None):
            raise forms.ValidationError("填写了面积或收入，请同时填写产业名称")
        return data


class BaseIndustryFormSet(forms.BaseFormSet):
    def clean(self):
        crops = [f.cleaned_data.get("crop", "").strip() for f in self.forms if f.cleaned_data.get("crop")]
        dup = {c for c in crops if crops.count(c) > 1}
        if dup:
            raise forms.ValidationError(f"产业重复：{'、'.join(sorted(dup))}")

    def rows(self) -> list[dict]:
        return [
            {
                "crop": f.cleaned_data["crop"].strip(),
                "area_mu": f.cleaned_data.get("area_mu"),
                "revenue": f.cleaned_data.get("revenue"),
            }
            for f in self.forms
            if f.cleaned_data.get("crop")
        ]


IndustryFormSet = forms.formset_factory(IndustryForm, formset=BaseIndustryFormSet, extra=3, max_num=30)


class ImportForm(forms.Form):
    file = forms.FileField(label="表格文件（.xlsx、.xls、.ods 或 .csv）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".xlsx,.xls,.ods,.csv"})
