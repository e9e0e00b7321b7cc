"""What a job costs (bot/quotas.py `CostTable`, `load_costs`) and when a period begins and ends
(`period_at`): pure, no store."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from bot.kling.capabilities import load_capabilities
from bot.quotas import CostTable, Rates, load_costs, parse_costs, period_at

# The older table: credits per started block of 5 seconds.
BLOCKS = CostTable(rates=Rates(by_mode={"std": Fraction(1), "pro": Fraction(2),
                                        "single": Fraction(3)}, block_seconds=5),
                   model_multiplier={"kling-master": Fraction(2)})
PER_SECOND = parse_costs({
    "per_second": {"std": 0.2, "pro": 0.4, "4k": 1, "single": 0.4},
    "audio_per_second": 0.1,
    "model_multiplier": {"kling-master": 2},
    "models": {"kling-v3-turbo": {"per_second": {"std": 0.3, "pro": 0.5}},
               "kling-v2-6": {"audio_per_second": 0.4}},
})


def test_the_mode_sets_the_price_of_each_block_of_seconds() -> None:
    assert BLOCKS.cost("kling-v1", "std", 5) == 1
    assert BLOCKS.cost("kling-v1", "pro", 5) == 2
    assert BLOCKS.cost("kling-v1", "pro", 10) == 4


def test_a_started_block_is_paid_in_full_and_every_job_pays_one() -> None:
    assert BLOCKS.cost("kling-v1", "std", 6) == 2
    assert BLOCKS.cost("kling-v1", "std", 1) == 1
    assert BLOCKS.cost("kling-v1", "std", 0) == 1


def test_single_mode_models_and_unknown_modes_pay_the_single_price() -> None:
    assert BLOCKS.cost("kling-v1", None, 5) == 3
    assert BLOCKS.cost("kling-v1", "4k", 5) == 3
    assert CostTable(rates=Rates(by_mode={"std": Fraction(1)}, block_seconds=5)).cost(
        "kling-v1", None, 5) == 1


def test_a_models_multiplier_applies_on_top() -> None:
    assert BLOCKS.cost("kling-master", "pro", 10) == 8
    assert BLOCKS.cost("kling-master", None, 5) == 6


@pytest.mark.parametrize(("seconds", "std", "pro", "four_k"), [
    (3, 1, 2, 3), (5, 1, 2, 5), (7, 2, 3, 7), (10, 2, 4, 10), (15, 3, 6, 15)])
def test_per_second_prices_follow_every_second_rounded_up_once(
        seconds: int, std: int, pro: int, four_k: int) -> None:
    assert PER_SECOND.cost("kling-v3", "std", seconds) == std
    assert PER_SECOND.cost("kling-v3", "pro", seconds) == pro
    assert PER_SECOND.cost("kling-v3", "4k", seconds) == four_k


def test_sound_costs_its_surcharge_per_second() -> None:
    assert PER_SECOND.cost("kling-v3", "pro", 10, audio=True) == 5  # 4 + 1
    assert PER_SECOND.cost("kling-v3", "std", 5, audio=True) == 2  # 1 + 0.5, rounded up
    assert PER_SECOND.cost("kling-v3", "std", 15, audio=False) == 3


def test_a_model_may_have_its_own_rates() -> None:
    assert PER_SECOND.cost("kling-v3-turbo", "std", 10) == 3  # 0.3 a second
    assert PER_SECOND.cost("kling-v3-turbo", "pro", 10, audio=True) == 6  # 5 + 1
    # An entry giving only a surcharge keeps the table's per-second prices.
    assert PER_SECOND.cost("kling-v2-6", "pro", 10, audio=True) == 8  # 4 + 4
    assert PER_SECOND.cost("kling-v2-6", "pro", 10) == 4
    assert PER_SECOND.cost("kling-master", None, 5) == 4  # 0.4 x 5 x 2


def test_the_packaged_table_follows_the_bill() -> None:
    costs = load_costs()
    assert costs.cost("kling-v1", "std", 5) == 1
    assert costs.cost("kling-v1", "pro", 10) == 4
    assert costs.cost("kling-v2-master", None, 10) == 8
    assert costs.cost("kling-v3", "4k", 5) == 4
    assert costs.cost("kling-v3", "std", 15) == 3
    assert costs.cost("kling-v3", "pro", 10, audio=True) == 5


def test_an_operators_old_table_still_prices_by_blocks(tmp_path: Path) -> None:
    path = tmp_path / "costs.json"
    path.write_text(json.dumps({"base": {"std": "3", "single": 1}}), encoding="utf-8")
    costs = load_costs(path)
    assert costs == CostTable(rates=Rates(by_mode={"std": Fraction(3), "single": Fraction(1)},
                                          block_seconds=5))
    assert costs.cost("kling-v2-master", "std", 7) == 6
    path.write_text(json.dumps({"base": {"std": 1, "pro": 2}, "per_seconds": 10,
                                "model_multiplier": {"kling-v1": 3}}), encoding="utf-8")
    assert load_costs(path).cost("kling-v1", "pro", 11) == 12  # 2 blocks x 2 x 3


def test_an_old_table_may_add_a_sound_surcharge(tmp_path: Path) -> None:
    path = tmp_path / "costs.json"
    path.write_text(json.dumps({"base": {"std": 1}, "per_seconds": 5,
                                "audio_per_second": 0.2}), encoding="utf-8")
    assert load_costs(path).cost("kling-v3", "std", 7, audio=True) == 4  # 2 + 10 s x 0.2


def test_a_table_without_prices_or_with_a_negative_one_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_costs({"model_multiplier": {}})
    with pytest.raises(ValueError):
        parse_costs({"per_second": {"std": -1}})


def test_a_model_priced_by_its_alias_is_priced_by_its_wire_name() -> None:
    table = parse_costs({"per_second": {"std": 1}, "model_multiplier": {"kling-video-o1": 3}})
    named = table.named(load_capabilities().resolve)
    assert named.cost("kling-o1", "std", 5) == 15
    assert named.cost("kling-v1", "std", 5) == 5


def test_costs_and_periods() -> None:
    costs = load_costs()
    assert costs.cost("kling-v1", "std", 5) == 1
    assert costs.cost("kling-v1", "pro", 10) == 4
    assert costs.cost("kling-v2-master", None, 5) == 4
    # 2026-01-01 05:00 UTC is still in the period that began the day before at 06:00.
    period = period_at(1767243600.0, 6)
    assert period.end - period.start == 86400
    assert period.start == 1767160800.0
