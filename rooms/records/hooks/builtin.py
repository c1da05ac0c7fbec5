"""The hooks the platform ships: a transcript summary and storing the report on the session."""

from __future__ import annotations

from typing import Any

from rooms.models import Session
from rooms.records.hooks import registry
from rooms.records.queries import transcript_summary


@registry.register("transcript_summary")
def summarise_transcript(*, session: Session, report: dict[str, Any]) -> dict[str, Any]:
    return transcript_summary(report["transcript"])


@registry.register("store_report")
def store_report(*, session: Session, report: dict[str, Any]) -> dict[str, Any]:
    stored = {**report, "summary": transcript_summary(report["transcript"])}
    Session.objects.filter(pk=session.pk).update(report=stored)
    return {"stored": True, "entries": len(report["transcript"])}
