"""Abstract bases shared by every app."""

from django.db import models


class TimeStamped(models.Model):
    """Server timestamps on every record (DESIGN principle 5: provenance)."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        abstract = True


class Versioned(TimeStamped):
    """Optimistic locking: every edit form carries the version it was read at."""

    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        abstract = True


class CacheVersion(models.Model):
    """One token per scope ("*", "g", "p:<organisation path>") that changes after a write
    there commits (see core.cache). Cached figures are keyed by the tokens of their scope, so a
    write invalidates them for every process at once, and only for the organisations it touched."""

    scope = models.CharField(max_length=255, primary_key=True)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "缓存版本"
        verbose_name_plural = "缓存版本"
