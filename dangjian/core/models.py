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


class DataVersion(models.Model):
    """A token that changes whenever any project data is written (see core.cache).

    Cached yearly figures are keyed by it, so a write anywhere invalidates them at once,
    across processes, without listing which figure depends on which table."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "数据版本"
        verbose_name_plural = "数据版本"
