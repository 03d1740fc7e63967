"""The five planted experiments of the Pinlab demo and the effects each one truly has.

The generator applies these multipliers to assigned users' behaviour on the experiment's
surface from their assignment date to the experiment's end; everything else is noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class ArmEffect:
    """Multipliers on per-impression probabilities / volumes for one arm (1.0 = no effect)."""

    impressions: float = 1.0
    save_prob: float = 1.0
    click_prob: float = 1.0
    hide_prob: float = 1.0
    seconds_per_impression: float = 1.0


@dataclass(frozen=True)
class PlantedExperiment:
    experiment_id: str
    name: str
    owner_team: str
    surface: str
    hypothesis: str
    start: date
    end: date
    primary_metric: str
    guardrails: tuple[str, ...]
    configured_split: dict[str, int]
    # Share of each arm actually delivered; differs from the configured split only for SRM.
    delivered_split: dict[str, float]
    effects: dict[str, ArmEffect] = field(default_factory=dict)
    allocation: float = 0.8  # share of eligible users enrolled
    status: str = "completed"

    @property
    def traffic_split(self) -> str:
        return ",".join(f"{arm}:{share}" for arm, share in self.configured_split.items())


PLANTED: tuple[PlantedExperiment, ...] = (
    PlantedExperiment(
        experiment_id="hf_l1_ranker_v2",
        name="Homefeed L1 ranker v2 (two-tower with engagement-weighted loss)",
        owner_team="homefeed-ranking",
        surface="homefeed",
        hypothesis="A two-tower L1 ranker trained on saves lifts saves per user by 2-4% "
        "without increasing hides.",
        start=date(2026, 10, 1),
        end=date(2026, 10, 28),
        primary_metric="saves_per_user",
        guardrails=("hide_rate", "time_spent_per_user"),
        configured_split={"control": 50, "treatment": 50},
        delivered_split={"control": 0.5, "treatment": 0.5},
        # +1% impressions x +2% save probability: +3% saves per user, +2% save rate.
        effects={"treatment": ArmEffect(impressions=1.01, save_prob=1.02)},
    ),
    PlantedExperiment(
        experiment_id="search_bert_relevance",
        name="Search relevance with a BERT cross-encoder",
        owner_team="search-quality",
        surface="search",
        hypothesis="A BERT cross-encoder re-ranker increases outbound clicks per searcher.",
        start=date(2026, 10, 5),
        end=date(2026, 10, 26),
        primary_metric="clicks_per_user",
        guardrails=("hide_rate",),
        configured_split={"control": 50, "treatment": 50},
        delivered_split={"control": 0.5, "treatment": 0.5},
        effects={"treatment": ArmEffect(click_prob=1.04, hide_prob=1.10)},
    ),
    PlantedExperiment(
        experiment_id="notif_seq_model",
        name="Notification sequence model",
        owner_team="notifications",
        surface="notifications",
        hypothesis="A sequence model choosing which pin to notify about brings users back "
        "on more days.",
        start=date(2026, 10, 8),
        end=date(2026, 10, 29),
        primary_metric="active_days_per_user",
        guardrails=("hide_rate",),
        configured_split={"control": 50, "treatment": 50},
        # A bucketing bug delivered 53/47: sample-ratio mismatch.
        delivered_split={"control": 0.53, "treatment": 0.47},
    ),
    PlantedExperiment(
        experiment_id="rp_candidate_gen_v3",
        name="Related pins candidate generator v3",
        owner_team="related-pins",
        surface="related_pins",
        hypothesis="Graph-walk candidates from the v3 generator increase related-pins saves.",
        start=date(2026, 10, 1),
        end=date(2026, 10, 21),
        primary_metric="saves_per_user",
        guardrails=("hide_rate",),
        configured_split={"control": 50, "treatment": 50},
        delivered_split={"control": 0.5, "treatment": 0.5},
    ),
    PlantedExperiment(
        experiment_id="video_boost_3arm",
        name="Video boost in homefeed blending (3 arms)",
        owner_team="video",
        surface="homefeed",
        hypothesis="Boosting video pins in homefeed blending increases time spent; the high "
        "boost may cost saves.",
        start=date(2026, 10, 10),
        end=date(2026, 10, 31),
        primary_metric="time_spent_per_user",
        guardrails=("hide_rate",),
        configured_split={"control": 34, "boost_low": 33, "boost_high": 33},
        delivered_split={"control": 0.34, "boost_low": 0.33, "boost_high": 0.33},
        effects={"boost_high": ArmEffect(seconds_per_impression=1.05, save_prob=0.97)},
        status="running",
    ),
)
