"""Shared model fields, and the worker heartbeat the liveness probe reads."""

from __future__ import annotations

from django.db import models


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# A worker beats every BEAT_SECONDS and sweeps every GROUNDGAME_SWEEP_SECONDS
# (runtime.heartbeat and runtime.sweeper); three missed in a row and /healthz counts that loop
# as stopped.
BEAT_SECONDS = 5.0
MISSED_ROUNDS = 3


class WorkerHeartbeat(models.Model):
    """One row per running worker process, refreshed every few seconds while it runs."""

    worker_id = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    backend = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)
    # The last sweep for sign-ups that lost their task (see runtime.sweeper); none yet at start.
    swept_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.hostname}"
