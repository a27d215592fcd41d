"""Icons come from the vendored Bootstrap Icons sprite (with its licence), none from elsewhere:
every name the templates, the menu and the home panels use is a symbol in the sprite."""

import re
from pathlib import Path

from dangjian.shell.home import PANEL_ICONS
from dangjian.shell.nav import MENU
from dangjian.shell.templatetags.icons import SPRITE, icon, sprite_names

ROOT = Path(__file__).resolve().parents[2]


def test_every_icon_used_is_in_the_vendored_sprite():
    names = sprite_names()
    used = {i for _, i, _ in MENU} | set(PANEL_ICONS.values()) | {"bell"}
    for tpl in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("dangjian/*/templates/**/*.html")]:
        used |= set(re.findall(r'{%\s*icon\s+"([^"]+)"', tpl.read_text(encoding="utf-8")))
    assert len(used) > 10 and used <= names, used - names
    assert "MIT" in (ROOT / "static" / Path(SPRITE).parent / "LICENSE").read_text()


def test_icons_are_decorative_unless_labelled():
    plain = str(icon("house-door"))
    assert 'aria-hidden="true"' in plain and 'focusable="false"' in plain and "#house-door" in plain
    named = str(icon("bell", label="提醒"))
    assert 'role="img" aria-label="提醒"' in named and "aria-hidden" not in named
