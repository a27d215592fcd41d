from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from dangjian.accounts.roles import Role
from dangjian.accounts.scope import ScopeRule


class AccountManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """`manage.py createsuperuser`: a working 管理员 of the top organization (not a 党员 account).
        On an empty database the organization comes from the set-up page, which then assigns it."""
        from dangjian.orgs.models import Organization

        extra_fields.setdefault("role", Role.ADMIN)
        if "org" not in extra_fields and "org_id" not in extra_fields:
            extra_fields["org"] = Organization.objects.get_first_root_node()
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """An account. Staff roles are scoped to `org` and everything under it; a 党员 to
    their own `member` record."""

    # Staff accounts by their org; 党员 accounts (no org) by their member's branch.
    scope = ScopeRule(org="org", member="none", also_org="member__branch")

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.MEMBER)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所属党组织（权限范围）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    member = models.OneToOneField(
        "members.Member",
        verbose_name="对应党员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
    )
    full_name = models.CharField("姓名", max_length=40, blank=True)
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    # 大字模式: 20 px body text and 48 px targets, for members who read small print badly;
    # the member or their branch secretary turns it on (members:large_print).
    large_print = models.BooleanField("大字模式", default=False)

    objects = AccountManager()

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def __str__(self) -> str:
        return self.display_name

    @property
    def sees_full_ids(self) -> bool:
        """Entitled to full 公民身份号码 — and so to the birth date and age, which are part of it."""
        from dangjian.accounts.roles import ID_REVEAL_ROLES

        return self.role in ID_REVEAL_ROLES


class RevealEvent(models.Model):
    """A logged reveal of a full 公民身份号码 or phone number, or an export holding them (or
    holding initial passwords: the account slips in Word)."""

    scope = ScopeRule(org="user__org", member="none")

    class Kind(models.TextChoices):
        ID_NUMBER = "id_number", "查看完整公民身份号码"
        PHONE = "phone", "查看完整联系电话"
        EXPORT_IDS = "export_ids", "导出含完整公民身份号码的文件"
        SLIPS = "slips", "下载含初始密码的密码条"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="reveals")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL)
    detail = models.CharField(max_length=200, blank=True)
    purpose = models.CharField("用途", max_length=200, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "敏感信息查看记录"
        verbose_name_plural = "敏感信息查看记录"
        ordering = ["-at"]


class PasswordHistory(models.Model):
    """The hashes of an account's last passwords (accounts.validators.PasswordHistoryValidator)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-at", "-pk"]


class ActiveSession(models.Model):
    """The one signed-in session of a staff account: signing in elsewhere ends the older one."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="active_session")
    session_key = models.CharField(max_length=40)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "在线会话"
        verbose_name_plural = "在线会话"
