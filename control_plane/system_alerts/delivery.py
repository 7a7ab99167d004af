"""Where a fired system alert goes: always one WARNING line in the log (the console shows
the events table), and, when its rule names a webhook, the same signed, retried POST as a
deployment's alerts (`control_plane.alerts.webhook`), sent in the background so a slow
receiver never delays the next evaluation."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from control_plane.alerts.webhook import deliver
from control_plane.system_alerts.schemas import SystemAlertEventOut
from control_plane.system_alerts.tables import SystemAlertRule

log = logging.getLogger("loadstar.system_alerts")


class AlertDelivery(Protocol):
    async def deliver(self, event: SystemAlertEventOut) -> None:
        """Send one fired event; called after the event is committed."""


class LogDelivery:
    """Writes each fired event to the control plane's log as one WARNING line."""

    async def deliver(self, event: SystemAlertEventOut) -> None:
        log.warning(
            "system alert fired: %s",
            event.message,
            extra={"ruleId": event.ruleId, "metric": event.metric, "value": event.value},
        )


class WebhookDelivery(LogDelivery):
    """Logs the event, then POSTs it to its rule's webhook (if any) in a background task."""

    def __init__(self) -> None:
        self._sending: set[asyncio.Task[None]] = set()

    async def deliver(self, event: SystemAlertEventOut) -> None:
        await super().deliver(event)
        rows = await SystemAlertRule.select(
            SystemAlertRule.webhook_url, SystemAlertRule.webhook_secret
        ).where(SystemAlertRule.id == event.ruleId)
        if not rows or not rows[0]["webhook_url"]:
            return
        task = asyncio.create_task(
            self._send(rows[0]["webhook_url"], rows[0]["webhook_secret"] or "", event)
        )
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, url: str, secret: str, event: SystemAlertEventOut) -> None:
        result = await deliver(url, event, secret, event="system_alert")
        log.info(
            "system alert %s %s to its webhook after %d attempt(s)",
            event.id,
            "delivered" if result.delivered else "NOT delivered",
            len(result.attempts),
            extra={"ruleId": event.ruleId, "delivered": result.delivered},
        )
