"""Password policy messages in Chinese.

Django's zh-hans catalogue translates every built-in validator message except the
plural "too short" one of MinimumLengthValidator (the msgid changed in Django 5 and the
catalogue has not caught up), which then shows in English. This subclass says it in Chinese.
"""

from django.contrib.auth.password_validation import MinimumLengthValidator as _Base
from django.core.exceptions import ValidationError


class MinimumLengthValidator(_Base):
    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(self.get_error_message(), code="password_too_short")

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"


class CharacterClassesValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    @staticmethod
    def classes(password: str) -> int:
        return sum(
            (
                any(c.isupper() for c in password),
                any(c.islower() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            )
        )

    def validate(self, password, user=None):
        if self.classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class NotUsernameValidator:
    """The password may not contain the user name (shuji08shuji08 for shuji08), forwards or back."""

    def validate(self, password, user=None):
        name = (getattr(user, "username", "") or "").lower()
        if len(name) < 3:
            return
        low = password.lower()
        if name in low or name[::-1] in low:
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self):
        return "密码不能包含用户名。"


class PasswordHistoryValidator:
    """Not the current password (the initial one at the forced first change) nor one of the
    last `keep` passwords. The new hash is remembered when a password is set."""

    def __init__(self, keep: int = 5):
        self.keep = keep

    def validate(self, password, user=None):
        from django.contrib.auth.hashers import check_password

        if user is None or not getattr(user, "pk", None):
            return
        hashes = [user.password] if user.password else []
        hashes += list(user.password_history.values_list("password", flat=True)[: self.keep])
        for encoded in hashes:
            if encoded and check_password(password, encoded):
                raise ValidationError(
                    f"新密码不能与当前密码或最近 {self.keep} 次用过的密码相同。", code="password_reused"
                )

    def password_changed(self, password, user=None):
        from dangjian.accounts.models import PasswordHistory

        if user is None or not getattr(user, "pk", None) or not user.password:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        old = user.password_history.values_list("pk", flat=True)[self.keep :]
        PasswordHistory.objects.filter(pk__in=list(old)).delete()

    def get_help_text(self):
        return f"不能与最近 {self.keep} 次用过的密码相同。"
