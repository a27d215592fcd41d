"""民主评议, the member's own side: 个人自评 and the anonymous 测评 ballot."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from dangjian.accounts.access import scoped
from dangjian.accounts.scope import visible_to
from dangjian.reviews import services
from dangjian.reviews.models import AppraisalEntry
from dangjian.reviews.views.common import MEMBER_ONLY
from dangjian.rules.appraisal import GRADES
from dangjian.rules.errors import RuleError

# --- 党员本人：自评与测评 -------------------------------------------------------------------


@scoped(roles=MEMBER_ONLY)
def mine(request):
    entry = (
        visible_to(request.user, AppraisalEntry)
        .filter(member_id=request.user.member_id)
        .select_related("appraisal__branch", "member")
        .order_by("-appraisal__year")
        .first()
    )
    ctx = {"entry": entry, "grades": GRADES}
    if entry:
        a = entry.appraisal
        ctx["a"] = a
        ctx["voted"] = a.voter_flags.filter(voter_id=request.user.member_id).exists()
        ctx["can_vote"] = a.voting_open and entry.is_full and not ctx["voted"]
        if ctx["can_vote"]:
            # Members of one's own branch (visible by the `branch` rule of Appraisal only
            # through the appraisal): names only, nothing else.
            ctx["others"] = list(
                a.entries.exclude(member_id=request.user.member_id)
                .select_related("member")
                .order_by("member__name_pinyin")
            )
    if request.method == "POST" and entry:
        action = request.POST.get("action")
        try:
            if action == "self":
                services.record_self_assessment(user=request.user, entry=entry, text=request.POST.get("text", ""))
                messages.success(request, "已保存您的个人自评")
            elif action == "vote":
                grades = {int(k[2:]): v for k, v in request.POST.items() if k.startswith("v_") and k[2:].isdigit()}
                n = services.cast_ballot(user=request.user, appraisal=entry.appraisal, grades=grades)
                messages.success(request, f"测评已提交（评价{n}人）。测评结果匿名统计，任何人都看不到您的选择。")
        except RuleError as e:
            messages.error(request, e.message)
        return redirect("reviews:mine")
    return render(request, "reviews/mine.html", ctx)
