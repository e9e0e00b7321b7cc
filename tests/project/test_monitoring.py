"""The monitoring profile: the provisioned Grafana dashboard shows series the bot exports, and
docker-compose.yml's optional services mount files that exist."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot import metrics

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "monitoring" / "grafana" / "dashboards" / "klingcord.json"


def exported_series() -> set[str]:
    return {sample.name for family in metrics.REGISTRY.collect() for sample in family.samples}


def test_every_dashboard_series_is_exported() -> None:
    # Give every labelled metric a child, so its samples appear.
    metrics.refresh_job_gauges({}, ("queued",))
    for labelled, label in ((metrics.JOBS_FINISHED, "outcome"), (metrics.CREDITS, "kind"),
                            (metrics.KLING_ERRORS, "code"),
                            (metrics.DISCORD_RATE_LIMITS, "route")):
        labelled.labels(**{label: "probe"}).inc(0)
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    used = {name for panel in dashboard["panels"] for target in panel["targets"]
            for name in re.findall(r"klingcord_\w+", target["expr"])}
    assert used, "the dashboard shows nothing"
    assert used <= exported_series(), used - exported_series()
    titles = " ".join(panel["title"] for panel in dashboard["panels"]).lower()
    for shown in ("ack", "queue wait", "kling", "delivery", "end to end", "by outcome",
                  "credits", "errors", "429", "by state", "queue length"):
        assert shown in titles


def test_the_monitoring_profile_mounts_files_in_the_repo() -> None:
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert compose.count('profiles: ["monitoring"]') == 2
    for mounted in re.findall(r"- \./(monitoring/[\w./-]+):", compose):
        assert (ROOT / mounted).exists(), mounted
