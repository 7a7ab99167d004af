"""Where a fired system alert goes. Until alerts share the deployments' rules and webhooks,
it is logged (and shown by the console from the events table); a process can hand
`SystemAlertsRuntime` another `AlertDelivery` (a webhook sender) without changing the rules."""

from __future__ import annotations

import logging
from typing import Protocol

from control_plane.system_alerts.schemas import SystemAlertEventOut

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
