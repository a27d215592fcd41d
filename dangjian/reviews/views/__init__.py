"""Views for 民主评议党员 (appraisal, mine), 不合格党员处置 (disposal) and 支部评星 (ratings)."""
