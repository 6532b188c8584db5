"""The watchdog, in Prefect's own terms: automations on the Prefect server that notice when the
software's own duty is not being done, and say so to the operator.

- **A run that went silent** (its worker host died or was killed): a ctcflow run that sent a
  heartbeat and then neither another nor an end within ``CTC_WATCHDOG_SILENT_SECONDS`` is marked
  *Crashed* — its concurrency slot freed, so the next delivery is not cancelled behind it — and the
  operator is told.
- **A run nobody started**: a ctcflow run still waiting past its time (Prefect marks it *Late*: no
  worker of its pool took it — all offline, or the pool paused) is told at once; the morning it
  belongs to is then not happening.
- **A pool without workers**: the work pool turned *not ready* (its last worker stopped
  answering) is told.

The operator is told through a Prefect notification block (``CTC_WATCHDOG_BLOCK``: Slack, Teams,
a webhook, e-mail through SendGrid …); without one the silent runs are still marked crashed. Our
own part — the morning recording that it ran, the brief and the overview saying when it did not,
``ctc health`` — does not depend on any of this (ctcflow.engine.mornings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ctcflow.core.config import get_settings
from ctcflow.core.errors import CtcError

PREFIX = "ctcflow watchdog"
TAG = "prefect.tag.ctc"  # every ctcflow deployment is tagged ctc (prefect.yaml); its runs carry it
ENDED = ("prefect.flow-run.Completed", "prefect.flow-run.Failed", "prefect.flow-run.Cancelled",
         "prefect.flow-run.Crashed")


@dataclass(frozen=True)
class Installed:
    names: list[str]
    notifies: str | None  # the block told, if any


def watch(pool: str, block: str | None = None) -> Installed:
    """Create (or replace, by name) the watchdog's automations for ``pool`` on the Prefect server."""
    from prefect.client.orchestration import get_client

    settings = get_settings()
    block = block or settings.watchdog_block
    with get_client(sync_client=True) as client:
        notify_id = _block_id(client, block) if block else None
        wanted = automations(pool, notify_id, timedelta(seconds=settings.watchdog_silent_seconds))
        for automation in wanted:
            for old in client.read_automations_by_name(automation.name):
                client.delete_automation(old.id)
            client.create_automation(automation)
    return Installed([a.name for a in wanted], block)


def automations(pool: str, notify_id: Any, silent: timedelta) -> list[Any]:
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState, SendNotification
    from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

    def told(subject: str, body: str) -> list[Any]:
        return [SendNotification(block_document_id=notify_id, subject=subject, body=body)] if notify_id else []

    run = "{{ event.resource['prefect.resource.name'] }} ({{ event.resource.id }})"
    return [
        AutomationCore(
            name=f"{PREFIX}: a run went silent",
            description="A ctcflow flow run whose heartbeats stopped before it ended: its worker is gone. "
                        "Marked crashed (its concurrency slot freed) and told.",
            trigger=EventTrigger(
                match={"prefect.resource.id": "prefect.flow-run.*"},
                match_related={"prefect.resource.id": TAG},
                after={"prefect.flow-run.heartbeat"},
                expect={"prefect.flow-run.heartbeat", *ENDED},
                for_each={"prefect.resource.id"}, posture=Posture.Proactive, threshold=1, within=silent),
            actions=[ChangeFlowRunState(state=StateType.CRASHED, name="Crashed", force=True,
                                        message=f"no heartbeat for {int(silent.total_seconds())} s: "
                                                "the worker running it is gone (ctcflow watchdog)"),
                     *told("ctcflow: a run stopped without ending",
                           f"The flow run {run} sent no heartbeat for {int(silent.total_seconds())} seconds: the "
                           "worker host running it is gone. It is marked crashed; the next scheduled run takes "
                           "up its work. Check the worker hosts.")]),
        AutomationCore(
            name=f"{PREFIX}: a run nobody started",
            description="A ctcflow flow run still waiting past its time: no worker of its pool took it.",
            trigger=EventTrigger(
                match={"prefect.resource.id": "prefect.flow-run.*"},
                match_related={"prefect.resource.id": TAG},
                expect={"prefect.flow-run.Late"}, for_each={"prefect.resource.id"},
                posture=Posture.Reactive, threshold=1, within=timedelta(0)),
            actions=told("ctcflow: a run did not start",
                         f"The flow run {run} is late: no worker of pool {pool} took it. The morning it belongs "
                         "to is not happening until a worker is online (prefect worker start --pool "
                         f"{pool}).")),
        AutomationCore(
            name=f"{PREFIX}: pool {pool} has no worker",
            description=f"The work pool {pool} has no worker online: no ctcflow run will start.",
            trigger=EventTrigger(
                match={"prefect.resource.id": "prefect.work-pool.*", "prefect.resource.name": pool},
                expect={"prefect.work-pool.not-ready"}, posture=Posture.Reactive, threshold=1,
                within=timedelta(0)),
            actions=told(f"ctcflow: no worker online in pool {pool}",
                         f"The work pool {pool} has no worker online: no morning run will start. Start a "
                         f"worker (prefect worker start --pool {pool}).")),
    ]


def _block_id(client: Any, name: str) -> Any:
    """The id of the notification block named ``name`` (``type/name`` or just ``name``)."""
    wanted = name.split("/", 1)[-1]
    found = [b for b in client.read_block_documents(include_secrets=False) if b.name == wanted]
    if not found:
        raise CtcError(f"no notification block '{name}' on the Prefect server: make one (Slack, Teams, a webhook "
                       "…) in the UI or with prefect block create, then set CTC_WATCHDOG_BLOCK to its name")
    return found[0].id
