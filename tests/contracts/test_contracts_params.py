"""One query-parameter policy (core.params): hostile ?year= / ?branch= / ?org= values give the
page's default or a clear 400 with a Chinese message — never a 500 — on every page that takes
no URL argument."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from dangjian.core import params
from dangjian.core.errors import BadRequest

HOSTILE = [
    {"year": "-1"},
    {"year": "10000"},
    {"year": "２０２３"},
    {"year": "1e9"},
    {"branch": "99999999999999999999"},
    {"branch": "-5"},
    {"org": "99999999999999999999"},
    {"month": "99999999999999999999"},
]
SKIP_PREFIXES = ("admin/", "accounts/logout", "static/", "media/")


def _plain_urls(resolver=None, prefix=""):
    """Every URL pattern without converters (a page one can open by its path alone)."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = str(p.pattern)
        if "<" in route or "(?P" in route or route.startswith("^"):
            continue
        if isinstance(p, URLResolver):
            yield from _plain_urls(p, prefix + route)
        elif isinstance(p, URLPattern):
            yield "/" + prefix + route


def test_the_parser_bounds_every_value():
    assert params.year({"year": "10000"}, default=2023) == 2023
    assert params.year({"year": "-1"}, default=2023) == 2023
    assert params.year({}, default=2023) == 2023
    with pytest.raises(BadRequest) as e:
        params.year({"year": "10000"}, strict=True)
    assert "年份不正确" in e.value.message
    assert params.branch({"branch": ""}) is None
    with pytest.raises(BadRequest):
        params.branch({"branch": "99999999999999999999"})
    with pytest.raises(BadRequest):
        params.branch({"branch": "0"})
    assert params.pk_or_none("99999999999999999999") is None
    assert params.integer({"n": "7"}, "n", lo=1, hi=12) == 7
    assert params.integer({"n": "13"}, "n", default=1, lo=1, hi=12) == 1


@pytest.mark.parametrize("role", ["admin", "secretary_a"])
def test_hostile_parameters_never_give_a_500(world, client_for, role):
    c = client_for(role)
    urls = sorted({u for u in _plain_urls() if not u.lstrip("/").startswith(SKIP_PREFIXES)})
    assert "/lifecycle/" in urls and "/reports/" in urls
    failures = []
    for u in urls:
        for q in HOSTILE:
            resp = c.get(u, q)
            if resp.status_code >= 500:
                failures.append(f"{u}?{q}: {resp.status_code}")
            elif resp.status_code == 400:
                assert "不正确" in resp.content.decode(), (u, q)
    assert not failures, failures
