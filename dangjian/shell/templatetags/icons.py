"""{% icon "name" %}: a Bootstrap Icons symbol from the vendored sprite
(static/vendor/bootstrap-icons/icons.svg), decorative unless given a label."""

from functools import cache
from pathlib import Path

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()
SPRITE = "vendor/bootstrap-icons/icons.svg"


@cache
def sprite_names() -> frozenset[str]:
    """The symbol ids in the sprite: an unknown name is a mistake the tests catch."""
    import re

    for folder in settings.STATICFILES_DIRS:
        path = Path(folder) / SPRITE
        if path.exists():
            return frozenset(re.findall(r'<symbol id="([^"]+)"', path.read_text(encoding="utf-8")))
    return frozenset()


@register.simple_tag
def icon(name, label="", css=""):
    """Decorative by default (aria-hidden: the words beside it say the same); with `label`
    the icon stands alone and is named for screen readers."""
    a11y = format_html('role="img" aria-label="{}"', label) if label else mark_safe('aria-hidden="true"')
    return format_html(
        '<svg class="bi{}" width="1em" height="1em" fill="currentColor" focusable="false" {}>'
        '<use href="{}#{}"></use></svg>',
        f" {css}" if css else "",
        a11y,
        static(SPRITE),
        name,
    )
