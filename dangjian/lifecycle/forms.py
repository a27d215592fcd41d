"""Forms of the lifecycle pages. Forms only parse input; rules are checked in services."""

from __future__ import annotations

from django import forms

from dangjian.lifecycle.models import DevelopmentStep, MobileContact, ProbationDecision, Transfer
from dangjian.lifecycle.services import STATUS_KINDS
from dangjian.members.models import Education, Member, MemberKind, Sex

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: str, **kw) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, input_formats=["%Y-%m-%d"], **kw)


class Styled(forms.Form):
    """Bootstrap classes on every widget (big targets on a phone)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, forms.CheckboxInput):
                w.attrs["class"] = "form-check-input"
            elif isinstance(w, forms.Select):
                w.attrs["class"] = "form-select form-select-lg"
            elif not isinstance(w, forms.HiddenInput):
                w.attrs["class"] = "form-control form-control-lg"


class VersionForm(Styled):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CaseForm(Styled):
    branch = forms.ModelChoiceField(label="党支部", queryset=None, empty_label="请选择")
    name = forms.CharField(label="姓名", max_length=40)
    sex = forms.ChoiceField(label="性别", choices=Sex.choices)
    ethnicity = forms.CharField(label="民族", max_length=20, initial="汉族")
    birth_date = _date("出生日期")
    id_number = forms.CharField(label="公民身份号码", max_length=20, required=False, help_text="接收为预备党员前须填写")
    education = forms.ChoiceField(label="学历", choices=[("", "—"), *Education.choices], required=False)
    job = forms.CharField(label="工作岗位", max_length=60, required=False)
    applied_on = _date("递交入党申请书日期")
    responsible = forms.CharField(label="受理人", max_length=100, required=False)

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        if branches.count() == 1:
            self.fields["branch"].initial = branches.first()


STEP_FIELDS = {
    DevelopmentStep.Kind.TALK: [],
    DevelopmentStep.Kind.ACTIVIST: ["contacts"],
    DevelopmentStep.Kind.REVIEW: [],
    DevelopmentStep.Kind.CANDIDATE: ["introducer_1", "introducer_2"],
    DevelopmentStep.Kind.POLITICAL_REVIEW: [],
    DevelopmentStep.Kind.TRAINING: ["training_days", "training_hours"],
    DevelopmentStep.Kind.VOTE: ["vote_entitled", "vote_present", "vote_agree"],
    DevelopmentStep.Kind.APPROVAL: ["approval_special"],
    DevelopmentStep.Kind.CLOSE: [],
}
COMMON = ["version", "on", "decision", "responsible", "documents"]


class StepForm(VersionForm):
    on = _date("日期")
    decision = forms.CharField(label="决定或结果", max_length=200, required=False)
    responsible = forms.CharField(label="责任人", max_length=100, required=False)
    documents = forms.CharField(
        label="材料", max_length=200, required=False, help_text="如：谈话记录、考察表、政审材料"
    )
    contacts = forms.CharField(label="培养联系人（1至2名正式党员）", max_length=60, required=False)
    introducer_1 = forms.ModelChoiceField(label="入党介绍人（一）", queryset=Member.objects.none(), required=False)
    introducer_2 = forms.ModelChoiceField(label="入党介绍人（二）", queryset=Member.objects.none(), required=False)
    training_days = forms.DecimalField(
        label="集中培训天数", min_value=0, max_digits=4, decimal_places=1, required=False
    )
    training_hours = forms.DecimalField(
        label="集中培训学时", min_value=0, max_digits=5, decimal_places=1, required=False
    )
    vote_entitled = forms.IntegerField(
        label="应到：有表决权的正式党员人数",
        min_value=1,
        required=False,
        help_text="表决之日本支部党籍正常的正式党员；预备党员没有表决权，不计入",
    )
    vote_present = forms.IntegerField(label="实到：到会的有表决权正式党员人数", min_value=0, required=False)
    vote_agree = forms.IntegerField(label="赞成票", min_value=0, required=False)
    approval_special = forms.BooleanField(label="特殊情况（审批期限六个月）", required=False)

    def __init__(self, *args, kind: str, introducer_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        keep = set(COMMON) | set(STEP_FIELDS[kind])
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if kind == DevelopmentStep.Kind.CLOSE:
            self.fields["decision"].label = "终止原因"
            self.fields["decision"].required = True
        for name in ("introducer_1", "introducer_2"):
            if name in self.fields and introducer_choices is not None:
                self.fields[name].queryset = introducer_choices
                self.fields[name].required = False


class ProbationForm(VersionForm):
    outcome = forms.ChoiceField(label="支部大会决定", choices=ProbationDecision.Outcome.choices)
    vote_on = _date("支部大会日期")
    vote_entitled = forms.IntegerField(
        label="应到：有表决权的正式党员人数",
        min_value=1,
        help_text="表决之日本支部党籍正常的正式党员；预备党员没有表决权，不计入",
    )
    vote_present = forms.IntegerField(label="实到：到会的有表决权正式党员人数", min_value=0)
    vote_agree = forms.IntegerField(label="赞成票", min_value=0)
    approved_on = _date("党委审批日期")
    extension_months = forms.IntegerField(
        label="延长月数（延长预备期时填写，6至12个月）", min_value=0, max_value=12, required=False
    )
    note = forms.CharField(label="说明", max_length=300, required=False)


class TransferOutForm(VersionForm):
    on = _date("转接日期")
    reach = forms.ChoiceField(label="转往", choices=Transfer.Reach.choices)
    to_branch = forms.ModelChoiceField(label="转入的党支部（本镇内）", queryset=None, required=False)
    other_org = forms.CharField(label="转入的党组织全称（本镇外）", max_length=100, required=False)
    valid_days = forms.IntegerField(label="介绍信有效期（天）", min_value=1, max_value=365, initial=30)
    dues_paid_to = forms.CharField(label="党费交至", max_length=20, required=False, help_text="如：2026年11月")
    reason = forms.CharField(label="转接原因", max_length=100, required=False)

    def __init__(self, *args, destinations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_branch"].queryset = destinations


class TransferInForm(Styled):
    branch = forms.ModelChoiceField(label="转入党支部", queryset=None, empty_label="请选择")
    on = _date("转接日期")
    reach = forms.ChoiceField(label="转自", choices=Transfer.Reach.choices[1:])
    other_org = forms.CharField(label="转出的党组织全称", max_length=100)
    received_letter = forms.CharField(label="介绍信编号", max_length=60, required=False)
    name = forms.CharField(label="姓名", max_length=40)
    sex = forms.ChoiceField(label="性别", choices=Sex.choices)
    ethnicity = forms.CharField(label="民族", max_length=20, initial="汉族")
    birth_date = _date("出生日期")
    id_number = forms.CharField(label="公民身份号码", max_length=20)
    education = forms.ChoiceField(label="学历", choices=Education.choices)
    kind = forms.ChoiceField(label="人员类别", choices=MemberKind.choices)
    joined_on = _date("入党日期")
    full_on = _date("转正日期（正式党员）", required=False)
    reason = forms.CharField(label="转接原因", max_length=100, required=False)

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


class MobileForm(VersionForm):
    since = _date("外出日期")
    destination = forms.CharField(label="外出流向（省市县、单位）", max_length=60)
    host_org = forms.CharField(label="流入地党组织", max_length=100, required=False)
    contact = forms.CharField(label="外出期间联系方式", max_length=60, required=False)


class ContactForm(Styled):
    on = _date("联系日期")
    method = forms.ChoiceField(label="联系方式", choices=MobileContact.Method.choices)
    content = forms.CharField(
        label="联系情况", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    contact_person = forms.CharField(label="联系人", max_length=40, required=False)


class ReturnForm(VersionForm):
    on = _date("返回日期")
    note = forms.CharField(label="说明", max_length=200, required=False)


class StatusForm(VersionForm):
    kind = forms.ChoiceField(label="事项", choices=[(k, v) for k, v in STATUS_KINDS.items()])
    on = _date("日期")
    note = forms.CharField(label="说明（决定、批准情况）", max_length=250, required=False)
