from django import forms
from django.contrib.auth.forms import AuthenticationForm

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.accounts.scope import orgs_in_scope, visible_to
from dangjian.orgs.models import OrgCategory


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
        from dangjian.accounts.services import roles_offered

        # Least privilege by default; never a role above the creator's own.
        self.fields["role"].choices = [(r, Role(r).label) for r in roles_offered(by)]
        self.fields["role"].initial = Role.MEMBER
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


class SetupForm(forms.Form):
    name = forms.CharField(label="党组织全称", max_length=100, help_text="如：中共桃川镇委员会")
    short_name = forms.CharField(label="简称", max_length=40, required=False, help_text="如：桃川镇党委")
    org_type = forms.ChoiceField(
        label="组织类型",
        choices=[("committee", "基层党委"), ("general_branch", "党总支"), ("branch", "党支部")],
        initial="committee",
    )
    category = forms.ChoiceField(label="组织类别", choices=OrgCategory.choices, initial=OrgCategory.ORGAN)
    higher = forms.CharField(
        label="上级党委（可选）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="由区（县）统一部署时填写，每行一个，自上而下，如：中共某某区委员会。管理员的权限范围为最上一级。",
    )
    username = forms.RegexField(
        label="管理员用户名",
        max_length=30,
        regex=r"^[A-Za-z0-9_.-]{3,30}$",
        error_messages={"invalid": "用户名只能用3到30位英文字母、数字、下划线、点或减号。"},
    )
    full_name = forms.CharField(label="管理员姓名", max_length=40, required=False)
    password1 = forms.CharField(label="密码", widget=forms.PasswordInput)
    password2 = forms.CharField(label="再次输入密码", widget=forms.PasswordInput)

    def __init__(self, *args, existing_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if existing_user is not None:
            for f in ("username", "full_name", "password1", "password2"):
                del self.fields[f]
        for f in self.fields.values():
            css = "form-select" if isinstance(f, forms.ChoiceField) else "form-control"
            f.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        if "password1" in self.fields and data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        return data
