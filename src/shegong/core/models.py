from django.db import models


class ScheduleRun(models.Model):
    """When a daily schedule's work last finished (``shegong.core.schedules``); not region-owned."""

    name = models.CharField(max_length=60, primary_key=True)
    finished_on = models.DateField()  # the local (Asia/Shanghai) date it last finished

    def __str__(self) -> str:
        return f"{self.name} @ {self.finished_on}"
