"""The member edit form; validation itself lives in members.validation via the services."""

from __future__ import annotations

from django import forms

from dangjian.accounts.scope import orgs_in_scope, visible_to
from dangjian.members.models import Member
from dangjian.members.services import EDITABLE_FIELDS
from dangjian.orgs.models import Organization, OrgType

DATE_FIELDS = ("birth_date", "joined_on", "full_on", "lost_on", "mobile_since", "joined_org_on")


def _sees_birth(user, member) -> bool:
    from dangjian.accounts.roles import ID_REVEAL_ROLES

    return user.role in ID_REVEAL_ROLES or (member.pk is not None and user.member_id == member.pk)


class MemberForm(forms.ModelForm):
    id_number = forms.CharField(label="公民身份号码", max_length=30, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    # Encrypted on the model (a property), so a plain form field rather than a model field.
    mobile_contact = forms.CharField(label="外出联系方式", max_length=60, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Member
        fields = [f for f in EDITABLE_FIELDS if f != "mobile_contact"]
        widgets = {f: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for f in DATE_FIELDS}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["branch"].queryset = orgs_in_scope(user, branches_only=True)
        self.fields["group"].queryset = (
            visible_to(user, Organization).filter(org_type=OrgType.GROUP, is_active=True).order_by("path")
        )
        self.fields["birth_date"].required = False
        self.fields["birth_date"].help_text = "可不填，按公民身份号码自动取"
        self.fields["sex"].required = False
        self.fields["sex"].help_text = "可不填，按公民身份号码第17位自动取"
        editing = self.instance.pk is not None
        if not _sees_birth(user, self.instance):
            # The birth date is the middle of the 公民身份号码: only roles entitled to the full number see it.
            del self.fields["birth_date"]
        if editing:
            self.fields[
                "mobile_contact"
            ].help_text = f"当前：{self.instance.mobile_contact_mask or '未填'}；留空表示不修改，填“无”表示清除"
            self.fields["id_number"].help_text = f"当前：{self.instance.id_number_mask}；留空表示不修改"
            self.fields[
                "phone"
            ].help_text = f"当前：{self.instance.phone_mask or '未填'}；留空表示不修改，填“无”表示清除"
            self.fields["version"].initial = self.instance.version
        else:
            self.fields["id_number"].required = True
        for _name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-lg")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control form-control-lg")
        self.fields["id_number"].widget.attrs["autocomplete"] = "off"

    def _post_clean(self):
        # Validation is the services' job (members.validation); the instance must stay
        # untouched until update_member has read its old values (branch change events).
        pass

    def service_kwargs(self) -> dict:
        """Cleaned values for members.services (ID/phone None when left blank on edit)."""
        data = {f: self.cleaned_data.get(f) for f in EDITABLE_FIELDS}
        contact = (self.cleaned_data.get("mobile_contact") or "").strip()
        if self.instance.pk and not contact:
            contact = self.instance.mobile_contact
        data["mobile_contact"] = "" if contact == "无" else contact
        for f in (
            "degree",
            "job",
            "address",
            "native_place",
            "registered_residence",
            "current_residence",
            "mobile_destination",
            "mobile_host_org",
            "introducers",
            "joined_org_type",
        ):
            data[f] = data[f] or ""
        data["probation_extension_months"] = data["probation_extension_months"] or 0
        from dangjian.rules import idcard

        raw_id = (self.cleaned_data.get("id_number") or "").strip()
        if raw_id and idcard.is_valid_id(raw_id):
            data["birth_date"] = data["birth_date"] or idcard.birth_date_from_id(raw_id)
            data["sex"] = data["sex"] or idcard.sex_from_id(raw_id)
        elif not raw_id and self.instance.pk:
            data["birth_date"] = data["birth_date"] or self.instance.birth_date
            data["sex"] = data["sex"] or self.instance.sex
        phone = (self.cleaned_data.get("phone") or "").strip()
        if self.instance.pk:
            return data | {"id_number": raw_id or None, "phone": "" if phone == "无" else (phone or None)}
        return data | {"id_number": raw_id, "phone": phone}
