"""{% page_title as t %}: the page's {% block title %} as rendered, so the breadcrumbs in
base.html can end with the page's own name without any view passing it."""

from django import template
from django.template.loader_tags import BLOCK_CONTEXT_KEY

register = template.Library()


@register.simple_tag(takes_context=True)
def page_title(context):
    blocks = context.render_context.get(BLOCK_CONTEXT_KEY)
    node = blocks.get_block("title") if blocks is not None else None
    if node is None:
        return ""
    # As BlockNode.render does: a fresh node carrying the context, so {{ block.super }} works.
    block = type(node)(node.name, node.nodelist)
    block.context = context
    with context.push(block=block):
        return node.nodelist.render(context).strip()


@register.inclusion_tag("shell/_breadcrumbs.html", takes_context=True)
def breadcrumbs(context):
    """首页 › group › menu entry › this page, from the trail the nav context processor found in
    the menu (shell.nav.trail_for); the page's title ends it when the page is below its entry.
    `back` is the nearest crumb above this page that is a link: the phone's 返回."""
    trail = list(context.get("nav_crumbs") or [])
    if not trail:
        return {"items": [], "back": None}
    items = [{"label": c.label, "url": c.url, "current": False} for c in trail]
    title = page_title(context)
    if context.get("nav_crumbs_exact"):
        items[-1]["current"] = True
    elif title and title != items[-1]["label"]:
        items.append({"label": title, "url": None, "current": True})
    if len(items) < 2:
        return {"items": [], "back": None}
    above = [i for i in items if i["url"] and not i["current"]]
    return {"items": items, "back": above[-1] if above else None}
