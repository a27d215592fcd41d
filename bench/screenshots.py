"""Screenshots of the main pages at 1366×768 and 390×844 (development only; the user guide's
images come from here).

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 manage.py load_demo --password Demo-Pass-2026
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 manage.py runserver 127.0.0.1:8717 --insecure
    python -m bench.screenshots --url http://127.0.0.1:8717 --password Demo-Pass-2026 --out /tmp/shots

Uses Playwright with Debian's /usr/bin/chromium, as the browser tests do.
"""

from __future__ import annotations

import argparse
from pathlib import Path

SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
# (account, name, path)
PAGES = [
    ("admin", "home", "/"),
    ("admin", "orgs-tree", "/orgs/"),
    ("admin", "roster", "/members/"),
    ("admin", "compliance", "/meetings/compliance/"),
    ("admin", "dues-summary", "/dues/summary/"),
    ("shuji01", "secretary-home", "/"),
    ("shuji01", "dues-collect", "/dues/collect/"),
    ("shuji01", "roster-branch", "/members/"),
    ("shuji01", "meetings", "/meetings/"),
    ("shuji01", "dues-arrears", "/dues/arrears/"),
    ("admin", "audit", "/core/audit/"),
    ("admin", "reviews", "/reviews/"),
    ("dangyuan01", "member-home", "/members/home/"),
    ("dangyuan01", "my-dues", "/dues/mine/"),
]


_CHANGED: dict[str, str] = {}  # accounts whose forced password change was done here


def _login(page, base: str, username: str, password: str) -> None:
    password = _CHANGED.get(username, password)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/password" in page.url and page.locator("#id_new_password1").count():
        new = password + "x"
        page.fill("#id_old_password", password)
        page.fill("#id_new_password1", new)
        page.fill("#id_new_password2", new)
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        _CHANGED[username] = new


def main(argv=None) -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8717")
    ap.add_argument("--password", default="Demo-Pass-2026")
    ap.add_argument("--out", default="/tmp/shots")
    ap.add_argument("--only", default="", help="comma-separated page names")
    ap.add_argument("--full", action="store_true", help="whole page, not only the first screen")
    ap.add_argument("--extra", action="append", default=[], help="account:name:path[:css selector scrolled to the top]")
    ap.add_argument("--sizes", default="desktop,phone")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    only = {n for n in args.only.split(",") if n}
    pages = [tuple(e.split(":", 3)) for e in args.extra] + [(*p, "") for p in PAGES]
    if args.extra and not only:
        only = {e[1] for e in pages[: len(args.extra)]}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        for size, (w, h) in SIZES.items():
            if size not in args.sizes.split(","):
                continue
            contexts: dict[str, object] = {}
            for account, name, path, *rest in pages:
                if only and name not in only:
                    continue
                if account not in contexts:
                    ctx = browser.new_context(locale="zh-CN", viewport={"width": w, "height": h}, device_scale_factor=1)
                    pg = ctx.new_page()
                    _login(pg, args.url, account, args.password)
                    contexts[account] = (ctx, pg)
                _ctx, pg = contexts[account]
                pg.goto(args.url + path)
                pg.wait_for_load_state("networkidle")
                if rest and rest[0]:
                    pg.locator(rest[0]).first.evaluate(
                        "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 8)"
                    )
                target = out / f"{name}-{size}.png"
                pg.screenshot(path=str(target), full_page=args.full)
                print(target)
            for ctx, _pg in contexts.values():
                ctx.close()
        browser.close()


if __name__ == "__main__":
    main()
