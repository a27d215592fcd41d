"""The independent evaluation set for copied text (issue 21): cases written by hand, kept in
`eval_cases/*.json`, apart from the demo and from `evaluation.generate` (whose copies come
from the same code that judges them).

- honest.json: genuine, different meetings and reflections that share a template, an opening
  and the same agenda (families F1–F7 across branches and two townships; F8 one branch's own
  支委会 over the year). Every two texts of one family are an honest pair.
- copies.json: each text copied by hand from one honest text or one published text, with the
  edits people make: sentences reordered, names / figures / dates / places changed, part of
  the text copied, words swapped, or pasted as is.
- published.json: published material (上级通知, a 心得 范文, a 党课 讲稿) written for the set.
- roster.json: the two townships' known names of people and places (what the production scan
  takes from the member roster and the org tree).

`evaluate_cases()` runs the same functions the scan runs over the whole set at once and
scores every pair found: a labelled copy (or two copies of one source) is right, anything
else is a false alarm. Recall counts the labelled copies found.
"""

from __future__ import annotations

import json
from functools import cache
from itertools import combinations
from pathlib import Path

from dangjian.integrity.textsim import Doc, Roster, contained_in_published, find_near_duplicates

CASES_DIR = Path(__file__).parent / "eval_cases"

# Chosen on this set (see docs/INTEGRITY.md): the smallest values with precision and recall
# both ≥ 0.9 and the widest margin on either side.
JACCARD = 0.5
CONTAINMENT = 0.6
PUBLISHED_CONTAINMENT = 0.5


@cache
def load_cases() -> dict:
    def read(name):
        return json.loads((CASES_DIR / name).read_text(encoding="utf-8"))

    roster = read("roster.json")
    honest = read("honest.json")["texts"]
    copies = read("copies.json")["texts"]
    published = read("published.json")["texts"]
    families: dict[str, list[str]] = {}
    for t in honest:
        families.setdefault(t["family"], []).append(t["key"])
    return {
        "roster": roster,
        "honest": honest,
        "copies": copies,
        "published": published,
        "honest_pairs": sorted(tuple(sorted(p)) for keys in families.values() for p in combinations(keys, 2)),
        "copied_pairs": sorted(tuple(sorted((c["source"], c["key"]))) for c in copies),
    }


def case_roster(cases: dict) -> Roster:
    return Roster(cases["roster"]["people"], cases["roster"]["places"])


def evaluate_cases(
    *, jaccard: float = JACCARD, containment: float | None = CONTAINMENT, published: float = PUBLISHED_CONTAINMENT
) -> dict:
    cases = load_cases()
    roster = case_roster(cases)
    docs = [Doc(t["key"], t["group"], t["text"]) for t in cases["honest"] + cases["copies"]]
    pubs = [Doc(p["key"], "published", p["text"]) for p in cases["published"]]
    found = {(p.a, p.b) for p in find_near_duplicates(docs, threshold=jaccard, containment=containment, roster=roster)}
    found |= {
        tuple(sorted((p.a, p.b))) for p in contained_in_published(docs, pubs, containment=published, roster=roster)
    }
    source = {c["key"]: c["source"] for c in cases["copies"]}
    how = {c["key"]: c["how"] for c in cases["copies"]}
    copied = set(cases["copied_pairs"])

    def is_copy(a: str, b: str) -> bool:
        # a labelled copy, or two copies of the same source
        return (a, b) in copied or (a in source and b in source and source[a] == source[b])

    tp = sorted(p for p in found if is_copy(*p))
    fp = sorted(p for p in found if not is_copy(*p))
    missed = sorted(p for p in copied if p not in found)
    honest_flagged = sorted(p for p in cases["honest_pairs"] if p in found)
    by_how: dict[str, dict] = {}
    for a, b in copied:
        kind = how[a if a in how else b]
        row = by_how.setdefault(kind, {"pairs": 0, "found": 0})
        row["pairs"] += 1
        row["found"] += (a, b) in found
    hits = len(copied) - len(missed)
    return {
        "copied_pairs": len(copied),
        "honest_pairs": len(cases["honest_pairs"]),
        "documents": len(docs),
        "found": len(found),
        "true_positives": len(tp),
        "false_positives": fp,
        "honest_pairs_flagged": honest_flagged,
        "missed": missed,
        "by_how": by_how,
        "precision": round(len(tp) / len(found), 3) if found else 1.0,
        "recall": round(hits / len(copied), 3) if copied else 1.0,
    }


def evaluate_pairwise(
    *, jaccard: float = JACCARD, containment: float | None = CONTAINMENT, published: float = PUBLISHED_CONTAINMENT
) -> dict:
    """The harder reading: each labelled pair judged alone, with no other organizations' texts
    to tell the template from the substance (as when a scope has fewer than four branches, so
    the boilerplate rule cannot apply). Honest pairs then share their whole template."""
    cases = load_cases()
    roster = case_roster(cases)
    text = {t["key"]: (t["group"], t["text"]) for t in cases["honest"] + cases["copies"]}
    pub = {p["key"]: p["text"] for p in cases["published"]}
    results = {}
    for label, pairs in (("copy", cases["copied_pairs"]), ("honest", cases["honest_pairs"])):
        for a, b in pairs:
            if a in pub or b in pub:
                p, r = (a, b) if a in pub else (b, a)
                hit = contained_in_published(
                    [Doc(r, text[r][0], text[r][1])],
                    [Doc(p, "published", pub[p])],
                    containment=published,
                    roster=roster,
                )
            else:
                docs = [Doc(k, *text[k]) for k in (a, b)]
                hit = find_near_duplicates(docs, threshold=jaccard, containment=containment, roster=roster)
            results[(a, b)] = (label, bool(hit))
    tp = sum(1 for label, hit in results.values() if hit and label == "copy")
    flagged = sum(1 for _label, hit in results.values() if hit)
    copies = sum(1 for label, _hit in results.values() if label == "copy")
    return {
        "copied_pairs": copies,
        "honest_pairs": len(results) - copies,
        "found": flagged,
        "honest_pairs_flagged": sorted(k for k, (label, hit) in results.items() if hit and label == "honest"),
        "missed": sorted(k for k, (label, hit) in results.items() if not hit and label == "copy"),
        "precision": round(tp / flagged, 3) if flagged else 1.0,
        "recall": round(tp / copies, 3) if copies else 1.0,
    }


def sweep(values=(0.4, 0.5, 0.6, 0.7, 0.8)) -> list[dict]:
    """Precision and recall for each containment threshold (Jaccard kept at JACCARD), both
    readings: the whole set scanned at once (as the scan does) and each pair alone."""
    out = []
    for c in values:
        whole = evaluate_cases(containment=c)
        alone = evaluate_pairwise(containment=c)
        out.append(
            {
                "containment": c,
                "precision": whole["precision"],
                "recall": whole["recall"],
                "pairwise_precision": alone["precision"],
                "pairwise_recall": alone["recall"],
            }
        )
    return out
