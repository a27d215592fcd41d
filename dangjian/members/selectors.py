"""Reads of the roster: what a user may list, filters, pinyin search, sorting."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import django_filters
from django import forms
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery

from dangjian.accounts.scope import orgs_in_scope, visible_to
from dangjian.core import clock, figures
from dangjian.core.figures import figure
from dangjian.members.models import Education, Member, MemberEvent, MemberKind, Sex, Standing
from dangjian.members.types import RosterRow
from dangjian.orgs.models import BRANCH_TYPES, Organization, OrgType
from dangjian.orgs.selectors import parts_of, under_any
from dangjian.rules import membership
from dangjian.rules.dates import add_months
from dangjian.rules.membership import AGE_BANDS

PAGE_SIZE = 50
# Above this many branches in a user's scope (a county: ~1,000) the 支部 select lists only
# the branches of the chosen 镇（街道）党委, which gets a select of its own.
BRANCH_SELECT_LIMIT = 200

SORTS = {
    "name": ("name_pinyin", "id"),
    "-name": ("-name_pinyin", "-id"),
    "birth": ("birth_date", "id"),
    "-birth": ("-birth_date", "-id"),
    "joined": ("joined_on", "id"),
    "-joined": ("-joined_on", "-id"),
    "branch": ("branch__path", "name_pinyin", "id"),
    "-branch": ("-branch__path", "name_pinyin", "id"),
}
SORT_LABELS = {"name": "姓名", "birth": "出生日期", "joined": "入党日期", "branch": "支部"}


def roster(user, *, include_left: bool = False) -> QuerySet:
    """Members the user may see; current members only unless `include_left`."""
    qs = visible_to(user, Member).select_related("branch", "group")
    if not include_left:
        qs = qs.filter(is_current=True)
    return qs


def age_band_birth_range(band: str, today: date) -> tuple[date | None, date | None]:
    """The (earliest, latest) birth dates, inclusive, of people whose age today is in `band`
    (RULES.md §10 age bands). Ages are whole years (周岁)."""
    if band == AGE_BANDS[0]:
        lo_age, hi_age = None, 30
    elif band == AGE_BANDS[-1]:
        lo_age, hi_age = 61, None
    else:
        lo, hi = band.rstrip("岁").split("-")
        lo_age, hi_age = int(lo), int(hi)
    # age >= a  ⇔  born on or before today minus a years
    latest = add_months(today, -12 * lo_age) if lo_age is not None else None
    # age <= b  ⇔  born after today minus (b+1) years
    earliest = None
    if hi_age is not None:
        earliest = add_months(today, -12 * (hi_age + 1))
        earliest = date.fromordinal(earliest.toordinal() + 1)
    return earliest, latest


def search(qs: QuerySet, q: str) -> QuerySet:
    """Name contains q, or full pinyin starts with/contains q, or initials start with q
    (`zs` and `zhangsan` both find 张三); uses the indexed name_pinyin/name_initials."""
    q = "".join((q or "").split())
    if not q:
        return qs
    cond = Q(name__icontains=q)
    if q.isascii() and q.isalpha():
        low = q.lower()
        cond |= Q(name_pinyin__startswith=low) | Q(name_initials__startswith=low) | Q(name_pinyin__contains=low)
    return qs.filter(cond)


class RosterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="姓名/拼音", method="filter_q")
    town = django_filters.ModelChoiceFilter(
        label="镇（街道）党委", queryset=Organization.objects.none(), method="filter_branch"
    )
    branch = django_filters.ModelChoiceFilter(
        label="支部", queryset=Organization.objects.none(), method="filter_branch"
    )
    group = django_filters.ModelChoiceFilter(label="党小组", queryset=Organization.objects.none(), field_name="group")
    kind = django_filters.ChoiceFilter(label="人员类别", choices=MemberKind.choices, empty_label="全部类别")
    sex = django_filters.ChoiceFilter(label="性别", choices=Sex.choices, empty_label="性别不限")
    age = django_filters.ChoiceFilter(
        label="年龄段", choices=[(b, b) for b in AGE_BANDS], method="filter_age", empty_label="年龄不限"
    )
    education = django_filters.ChoiceFilter(label="学历", choices=Education.choices, empty_label="学历不限")
    mobile = django_filters.BooleanFilter(
        label="流动党员",
        field_name="is_mobile",
        widget=forms.Select(choices=[("", "流动不限"), ("true", "流动党员"), ("false", "非流动")]),
    )
    lost = django_filters.BooleanFilter(
        label="失联党员",
        field_name="is_lost",
        widget=forms.Select(choices=[("", "失联不限"), ("true", "失联党员"), ("false", "未失联")]),
    )
    left = django_filters.BooleanFilter(label="包含已离开", method="filter_left", widget=forms.CheckboxInput)

    class Meta:
        model = Member
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, user, today: date | None = None, **kwargs):
        self.user = user
        self.today = clock.or_today(today)
        super().__init__(data, queryset, **kwargs)
        branches = orgs_in_scope(user, branches_only=True)
        self.filters["branch"].queryset = branches
        self.form.fields["branch"].queryset = branches
        self.form.fields["branch"].empty_label = "全部支部"
        committees = orgs_in_scope(user).filter(org_type=OrgType.COMMITTEE)
        self.filters["town"].queryset = committees
        self.form.fields["town"].queryset = committees
        self.form.fields["town"].empty_label = "全部镇（街道）"
        groups = visible_to(user, Organization).filter(org_type=OrgType.GROUP, is_active=True).order_by("path")
        self.filters["group"].queryset = groups
        self.form.fields["group"].queryset = groups
        self.form.fields["group"].empty_label = "全部党小组"
        self._limit_choices(branches, committees, groups)
        for _name, field in self.form.fields.items():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-lg"

    def _limit_choices(self, branches: QuerySet, committees: QuerySet, groups: QuerySet) -> None:
        """What the selects offer (validation still accepts anything in scope): the 党小组 of
        the chosen branch only, and — when the scope holds more than BRANCH_SELECT_LIMIT
        branches — the branches of the chosen 镇（街道）党委 only. One query for branches
        and 党委 together, one for the groups when a branch is chosen."""
        data = self.data or {}
        branch_id = str(data.get("branch") or "")
        town_id = str(data.get("town") or "")
        orgs = list(orgs_in_scope(self.user).filter(org_type__in=(*BRANCH_TYPES, OrgType.COMMITTEE)))
        branch_list = [o for o in orgs if o.org_type in BRANCH_TYPES]
        towns = [o for o in orgs if o.org_type == OrgType.COMMITTEE]
        chosen = next((b for b in branch_list if str(b.pk) == branch_id), None)
        self.many_branches = len(branch_list) > BRANCH_SELECT_LIMIT
        town = next((t for t in towns if str(t.pk) == town_id), None)
        if self.many_branches:
            if town is None and chosen is not None:  # a branch chosen alone: show its 党委
                town = max(
                    (t for t in towns if chosen.path.startswith(t.path)), key=lambda t: len(t.path), default=None
                )
            branch_list = [b for b in branch_list if town is not None and b.path.startswith(town.path)]
            self.form.fields["town"].widget.choices = [("", "全部镇（街道）")] + [(t.pk, str(t)) for t in towns]
        else:
            self.form.fields["town"].widget = forms.HiddenInput()
        self.form.fields["branch"].widget.choices = [("", "全部支部")] + [(b.pk, str(b)) for b in branch_list]
        group_list = list(groups.filter(path__startswith=chosen.path)) if chosen is not None else []
        self.branch_chosen = chosen is not None
        self.form.fields["group"].widget.choices = [("", "全部党小组" if chosen else "请先选择支部")] + [
            (g.pk, str(g)) for g in group_list
        ]

    def filter_q(self, qs, name, value):
        return search(qs, value)

    def filter_branch(self, qs, name, value):
        # A branch and everything under it (its 党小组 hold no members of their own).
        return qs.filter(branch__path__startswith=value.path)

    def filter_age(self, qs, name, value):
        earliest, latest = age_band_birth_range(value, self.today)
        if earliest:
            qs = qs.filter(birth_date__gte=earliest)
        if latest:
            qs = qs.filter(birth_date__lte=latest)
        return qs

    def filter_left(self, qs, name, value):
        return qs  # handled in roster_page: it widens the base queryset

    def describe(self) -> str:
        """The active filters in words, for export title rows."""
        if not self.is_bound or not self.form.is_valid():
            return ""
        parts = []
        for key, val in self.form.cleaned_data.items():
            if val in (None, "", False):
                continue
            parts.append(f"{self.filters[key].label}={val if val is not True else '是'}")
        return "，".join(parts)


def filtered_roster(user, params, *, today: date | None = None) -> tuple[RosterFilter, QuerySet]:
    include_left = str(params.get("left", "")).lower() in {"on", "true", "1"}
    f = RosterFilter(params, roster(user, include_left=include_left), user=user, today=today)
    qs = f.qs
    sort = params.get("sort") or "name"
    return f, qs.order_by(*SORTS.get(sort, SORTS["name"]))


def events_for(user, member: Member) -> QuerySet:
    return visible_to(user, MemberEvent).filter(member=member).select_related("created_by").order_by("date", "id")


# --- members of an organization over time (the one owner of "who was a member then") ----------
#
# Who counts as a member for a day's or a year's figures is decided here, once, by two
# conditions (`counted_on` and `counted_during`); members_as_of, members_during and year_roster
# apply them, and every yearly figure and report reads one of those three.


def _suspended_on(day: date) -> Q:
    """停止党籍 on `day`: the latest 停止党籍/恢复党籍 event on or before `day` is 停止党籍 — or,
    for a record imported without its events, the roster says 停止党籍 and no such event exists."""
    kinds = [MemberEvent.Kind.SUSPENDED, MemberEvent.Kind.RESTORED]
    latest = (
        MemberEvent.objects.filter(member=OuterRef("member_id"), kind__in=kinds, date__lte=day)
        .order_by("-date", "-id")
        .values("kind")[:1]
    )
    by_event = (
        MemberEvent.objects.filter(kind=MemberEvent.Kind.SUSPENDED, date__lte=day)
        .annotate(last_kind=Subquery(latest))
        .filter(last_kind=MemberEvent.Kind.SUSPENDED)
        .values("member_id")
    )
    no_events = ~Exists(MemberEvent.objects.filter(member=OuterRef("pk"), kind__in=kinds))
    return Q(pk__in=by_event) | (Q(standing=Standing.SUSPENDED) & no_events)


def suspension_periods(ids) -> dict[int, list[tuple[date, date | None]]]:
    """{member_id: [(停止党籍 on, 恢复党籍 on or None), …]} for the members `ids` (ids or a
    values("id") queryset) that were ever under 停止党籍, from their events; a record
    imported as 停止党籍 without such events is stopped throughout. One query."""
    kinds = [MemberEvent.Kind.SUSPENDED, MemberEvent.Kind.RESTORED]
    events: dict[int, list[tuple[str, date]]] = defaultdict(list)
    standing: dict[int, str] = {}
    for mid, kind, on, st in (
        Member.objects.filter(pk__in=ids)
        .filter(Q(standing=Standing.SUSPENDED) | Q(events__kind__in=kinds))
        .order_by("id", "events__date", "events__id")
        .values_list("id", "events__kind", "events__date", "standing")
    ):
        standing[mid] = st
        if kind in kinds:
            events[mid].append((kind, on))
    out: dict[int, list[tuple[date, date | None]]] = {}
    for mid, st in standing.items():
        periods: list[tuple[date, date | None]] = []
        for kind, on in events.get(mid, []):
            if kind == MemberEvent.Kind.SUSPENDED and (not periods or periods[-1][1] is not None):
                periods.append((on, None))
            elif kind == MemberEvent.Kind.RESTORED and periods and periods[-1][1] is None:
                periods[-1] = (periods[-1][0], on)
        if not events.get(mid) and st == Standing.SUSPENDED:
            periods = [(date.min, None)]
        if periods:
            out[mid] = periods
    return out


def suspended_through(periods: list[tuple[date, date | None]], first: date, last: date) -> bool:
    """Whether one period of 停止党籍 covers every day from `first` to `last`."""
    return any(start <= first and (end is None or end > last) for start, end in periods)


def counted_on(day: date) -> Q:
    """A member on `day`: joined the Party (入党日期) and this organization (进入本组织日期, when
    recorded) by then, not yet left it (转出, 死亡, 退党, 除名, …: 离开本组织日期 after `day`), and
    — unless rules.membership.SUSPENDED_COUNTED_IN_FIGURES — not under 停止党籍 that day."""
    q = Q(joined_on__lte=day) & (Q(is_current=True) | Q(left_on__gt=day)) & ~Q(joined_org_on__gt=day)
    if not membership.SUSPENDED_COUNTED_IN_FIGURES:
        q &= ~_suspended_on(day)
    return q


def counted_during(year: int) -> Q:
    """A member at some time in `year` (joined by 31 December, not left before 1 January):
    whoever could be expected to take part in that year's organizational life — except, unless
    rules.membership.SUSPENDED_COUNTED_IN_FIGURES, a member whose 党籍 stayed stopped all year
    (stopped on 1 January and not restored in the year)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    q = Q(joined_on__lte=last) & (Q(is_current=True) | Q(left_on__gte=first)) & ~Q(joined_org_on__gt=last)
    if not membership.SUSPENDED_COUNTED_IN_FIGURES:
        restored = MemberEvent.objects.filter(
            member=OuterRef("pk"), kind=MemberEvent.Kind.RESTORED, date__gte=first, date__lte=last
        )
        q &= ~(_suspended_on(first) & ~Exists(restored))
    return q


def members_as_of(root: Organization, day: date) -> QuerySet:
    """Members under `root` on `day` (`counted_on`). Every yearly figure and report counts
    people with this (or `members_during`, `year_roster`), so a past year counts that year's
    members.

    The branch is the member's branch now (the roster keeps no history of moves between
    branches of the same organization)."""
    return Member.objects.filter(branch__path__startswith=root.path).filter(counted_on(day))


def members_during(root: Organization, year: int) -> QuerySet:
    """Members under `root` at any time in `year` (`counted_during`)."""
    return Member.objects.filter(branch__path__startswith=root.path).filter(counted_during(year))


@figure
def year_roster(root: Organization, year: int, day: date) -> tuple[RosterRow, ...]:
    """members_during(root, year) and members_as_of(root, day) — `day` is the day the year is
    judged at, core.clock.judged_at(year) — in ONE query, each row flagged with the sets it is
    in; shared by attendance, study, the appraisal, compliance, 党章第九条 and the report's
    基本情况 (core.figures: once per request or report)."""
    parts = parts_of(root)
    if not parts:
        return _year_roster_rows(Member.objects.filter(branch__path__startswith=root.path), year, day)

    # A county: its townships' rosters (figures.parts: each cached under its own tokens, the
    # missing ones read in one query), in tree order — the order of branch__path, with members
    # of root itself (a shorter path) first.
    def missing(indexes: list[int]) -> list[tuple]:
        chosen = [parts[i] for i in indexes]
        where = under_any(chosen, "branch__path")
        split: dict[str, list] = defaultdict(list)
        cut = len(chosen[0].path)
        for path, row in _year_roster_rows(Member.objects.filter(where), year, day, with_path=True):
            split[path[:cut]].append(row)
        return [tuple(split.get(p.path, ())) for p in chosen]

    rows = _year_roster_rows(Member.objects.filter(branch_id=root.pk), year, day)
    return rows + tuple(
        r for part in figures.parts(year_roster, [(p, year, day) for p in parts], missing) for r in part
    )


def _year_roster_rows(members: QuerySet, year: int, day: date, *, with_path: bool = False) -> tuple:
    """RosterRows of `members` for the year, ordered by branch path, pinyin and id; with_path:
    (branch path, row) pairs."""
    on, during = counted_on(day), counted_during(year)
    rows = (
        members.filter(on | during)
        .annotate(
            on_day=ExpressionWrapper(on, output_field=BooleanField()),
            in_year=ExpressionWrapper(during, output_field=BooleanField()),
        )
        .order_by("branch__path", "name_pinyin", "id")
        .values_list(
            "id", "name", "branch_id", "branch__short_name", "branch__name", "kind", "full_on", "sex",
            "ethnicity", "birth_date", "education", "is_mobile", "is_lost", "lost_on", "is_current", "on_day", "in_year",
            *(["branch__path"] if with_path else []),
        )
    )  # fmt: skip
    if with_path:
        return tuple(
            (path, RosterRow(mid, name, bid, short or bname, kind, full_on, *rest, bool(on_day), bool(in_year)))
            for mid, name, bid, short, bname, kind, full_on, *rest, on_day, in_year, path in rows
        )
    return tuple(
        RosterRow(mid, name, bid, short or bname, kind, full_on, *rest, bool(on_day), bool(in_year))
        for mid, name, bid, short, bname, kind, full_on, *rest, on_day, in_year in rows
    )


def roster_on(root: Organization, day: date) -> list[RosterRow]:
    """The members on `day` (counted_on) from the year's roster (no query once it is read)."""
    return [r for r in year_roster(root, day.year, day) if r.on_day]


def _age(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _age_band(age: int) -> str:
    """RULES.md §10 age band (rules.membership.AGE_BANDS) of a whole-year age (周岁)."""
    for band in AGE_BANDS[:-1]:
        hi = int(band.rstrip("岁及以下").split("-")[-1])
        if age <= hi:
            return band
    return AGE_BANDS[-1]


def structure_as_of(root: Organization, day: date) -> dict:
    """The roster's make-up on `day` (from year_roster: no query of its own once read): total,
    正式/预备, women, minorities, 35 and under, college or above, the RULES.md §10 age bands;
    mobility and 失联 are the members' current state (the roster keeps no history of them)."""
    from dangjian.members.models import COLLEGE_OR_ABOVE

    rows = roster_on(root, day)
    probationary = sum(1 for r in rows if r.kind == MemberKind.PROBATIONARY or (r.full_on and r.full_on > day))
    age_bands = dict.fromkeys(AGE_BANDS, 0)
    band_of: dict[int, str] = {}  # _age_band parses the band names: once per age, not per member
    for r in rows:
        age = _age(r.birth_date, day)
        if age not in band_of:
            band_of[age] = _age_band(age)
        age_bands[band_of[age]] += 1
    return {
        "total": len(rows),
        "probationary": probationary,
        "full": len(rows) - probationary,
        "women": sum(1 for r in rows if r.sex == Sex.FEMALE),
        "minorities": sum(1 for r in rows if r.ethnicity != "汉族"),
        "age_35_or_under": sum(1 for r in rows if _age(r.birth_date, day) <= 35),
        "college_or_above": sum(1 for r in rows if r.education in COLLEGE_OR_ABOVE),
        "mobile": sum(1 for r in rows if r.is_mobile and r.is_current),
        "lost": sum(1 for r in rows if r.is_lost and r.is_current),
        "age_bands": age_bands,
    }
