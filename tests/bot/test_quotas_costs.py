"""What a job costs (bot/quotas.py `CostTable`, `load_costs`): pure, no store."""

from __future__ import annotations

import json
from pathlib import Path

from bot.quotas import CostTable, load_costs

TABLE = CostTable(base={"std": 1, "pro": 2, "single": 3}, per_seconds=5,
                  model_multiplier={"kling-master": 2})


def test_the_mode_sets_the_price_of_each_block_of_seconds() -> None:
    assert TABLE.cost("kling-v1", "std", 5) == 1
    assert TABLE.cost("kling-v1", "pro", 5) == 2
    assert TABLE.cost("kling-v1", "pro", 10) == 4


def test_a_started_block_is_paid_in_full_and_every_job_pays_one() -> None:
    assert TABLE.cost("kling-v1", "std", 6) == 2
    assert TABLE.cost("kling-v1", "std", 1) == 1
    assert TABLE.cost("kling-v1", "std", 0) == 1


def test_single_mode_models_and_unknown_modes_pay_the_single_price() -> None:
    assert TABLE.cost("kling-v1", None, 5) == 3
    assert TABLE.cost("kling-v1", "4k", 5) == 3
    assert CostTable(base={"std": 1}, per_seconds=5, model_multiplier={}).cost(
        "kling-v1", None, 5) == 1


def test_a_models_multiplier_applies_on_top() -> None:
    assert TABLE.cost("kling-master", "pro", 10) == 8
    assert TABLE.cost("kling-master", None, 5) == 6


def test_the_packaged_table_follows_the_bill() -> None:
    costs = load_costs()
    assert costs.cost("kling-v1", "std", 5) == 1
    assert costs.cost("kling-v1", "pro", 10) == 4
    assert costs.cost("kling-v2-master", None, 10) == 8


def test_an_operators_table_replaces_the_packaged_one(tmp_path: Path) -> None:
    path = tmp_path / "costs.json"
    path.write_text(json.dumps({"base": {"std": "3", "single": 1}}), encoding="utf-8")
    costs = load_costs(path)
    assert costs == CostTable(base={"std": 3, "single": 1}, per_seconds=5, model_multiplier={})
    assert costs.cost("kling-v2-master", "std", 7) == 6
