"""The month report's summary of closed months (``monthcache.py``) and the marks that say which
months a write changed (``marks.py``)."""

from __future__ import annotations

from django.db import models


class MonthMark(models.Model):
    """A write to a table a figure reads that can change the figures of ``month`` and of every
    month after it. Written by PostgreSQL triggers in the writing transaction (``marks.py``),
    never by Python; ``weight`` rows folded into one by ``marks_compact``. A month's figures are
    valid while the sum of the weights of its sources' marks up to it is what it was when they
    were computed."""

    source = models.CharField(max_length=40)
    month = models.DateField()
    weight = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["source", "month"], name="monthmark_source_month_idx")]

    def __str__(self) -> str:
        return f"{self.source} {self.month:%Y-%m} ×{self.weight}"


class MonthFigures(models.Model):
    """One family of figures' totals for one closed month and one scope (the organisation, or a
    set of programs), with the marks they were computed under."""

    scope = models.CharField(max_length=64)
    month = models.DateField()
    family = models.CharField(max_length=40)
    marks = models.JSONField()
    values = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "month", "family"], name="monthfigures_scope_month_family_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.family} {self.month:%Y-%m} ({self.scope})"
