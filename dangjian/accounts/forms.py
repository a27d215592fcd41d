from django import forms
from django.contrib.auth.forms import AuthenticationForm

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.accounts.scope import orgs_in_scope, visible_to


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。注意：连续输错多次后账号将被暂时锁定。",
        "inactive": "该账号已停用，请联系镇党委管理员。",
    }


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "　" * max(0, obj.depth - 2) + obj.name


class AccountForm(forms.Form):
    username = forms.RegexField(
        label="用户名",
        max_length=30,
        regex=r"^[A-Za-z0-9_.-]{3,30}$",
        error_messages={"invalid": "用户名只能用3到30位英文字母、数字、下划线、点或减号。"},
    )
    full_name = forms.CharField(label="姓名", max_length=40, required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    org = OrgChoiceField(label="所属党组织（权限范围）", queryset=None, required=False)
    member = forms.ModelChoiceField(label="对应党员（党员账号必选）", queryset=None, required=False)

    def __init__(self, *args, by, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        from dangjian.members.models import Member

        self.by = by
        self.editing = editing
        self.fields["org"].queryset = orgs_in_scope(by).exclude(org_type="group")
        self.fields["member"].queryset = (
            visible_to(by, Member).filter(is_current=True, account__isnull=True).select_related("branch")
        )
        if editing is not None:
            del self.fields["username"]
            del self.fields["member"]

    def clean_username(self):
        name = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=name).exists():
            raise forms.ValidationError("该用户名已被使用。")
        return name

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role and role != Role.MEMBER and not data.get("org"):
            self.add_error("org", "请选择该账号负责的党组织。")
        if role == Role.MEMBER and self.editing is None and not data.get("member"):
            self.add_error("member", "党员账号须选择对应的党员。")
        return data
