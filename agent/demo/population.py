"""The demo's simulated population: users with latent traits, their experiment assignments
and their daily engagement (first stage of population → tables → warehouse).

Behaviour is simulated per user from latent traits (heavy-tailed activity, per-impression
action probabilities) so that experiments analysed per user see realistic variance, weekly
seasonality, and the planted effects of `agent.demo.planted` and nothing else. Pure numpy:
no pandas, no DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from agent.demo.planted import PLANTED, ArmEffect, PlantedExperiment

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]

FIRST_DAY = date(2026, 9, 1)
LAST_DAY = date(2026, 10, 31)
USERS_PER_SCALE = 80_000
PINS_PER_SCALE = 20_000

COUNTRIES = {
    "US": 0.34,
    "IN": 0.12,
    "BR": 0.10,
    "GB": 0.08,
    "DE": 0.07,
    "MX": 0.07,
    "FR": 0.06,
    "JP": 0.06,
    "CA": 0.05,
    "AU": 0.05,
}
PLATFORMS = {"ios": 0.42, "android": 0.40, "web": 0.18}
AGE_BUCKETS = {"18-24": 0.26, "25-34": 0.33, "35-44": 0.20, "45-54": 0.12, "55+": 0.09}
CATEGORIES = {
    "home_decor": 0.16,
    "recipes": 0.15,
    "fashion": 0.13,
    "travel": 0.09,
    "diy": 0.10,
    "beauty": 0.10,
    "art": 0.07,
    "fitness": 0.08,
    "weddings": 0.05,
    "tech": 0.07,
}
# surface: (share of a user's active days that touch it, mean impressions per visit)
SURFACES = {
    "homefeed": (0.92, 40.0),
    "search": (0.45, 14.0),
    "related_pins": (0.35, 12.0),
    "notifications": (0.30, 3.0),
}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Users:
    user_id: IntArray
    signup_day: IntArray  # days relative to FIRST_DAY (negative = before the data starts)
    country: npt.NDArray[np.str_]
    platform: npt.NDArray[np.str_]
    age_bucket: npt.NDArray[np.str_]
    is_creator: npt.NDArray[np.bool_]
    activity: FloatArray  # daily probability of a visit
    intensity: FloatArray  # heavy-tailed volume multiplier
    save_p: FloatArray
    click_p: FloatArray
    closeup_p: FloatArray
    hide_p: FloatArray
    seconds: FloatArray  # seconds per impression
    favourite: npt.NDArray[np.str_]


def n_days() -> int:
    return (LAST_DAY - FIRST_DAY).days + 1


def day_date(day: int) -> date:
    return FIRST_DAY + timedelta(days=day)


def weekly_factor(day: int) -> float:
    """Weekends are busier on a discovery app; a mild upward trend over the two months."""
    weekday = day_date(day).weekday()
    season = {5: 1.18, 6: 1.22, 4: 1.05}.get(weekday, 1.0)
    return season * (1.0 + 0.001 * day)


def choose(rng: np.random.Generator, table: dict[str, float], n: int) -> npt.NDArray[np.str_]:
    import numpy as np

    keys = np.array(list(table))
    probs = np.array(list(table.values()))
    return keys[rng.choice(len(keys), size=n, p=probs / probs.sum())]


def make_users(rng: np.random.Generator, n: int) -> Users:
    import numpy as np

    # Signups over four years, skewed recent; some arrive during the data window.
    signup_day = -np.floor(rng.exponential(420.0, n)).astype(np.int64) + 60
    signup_day = np.minimum(signup_day, n_days() - 1)
    platform = choose(rng, PLATFORMS, n)
    activity = rng.beta(1.3, 2.0, n)
    activity[platform == "web"] *= 0.7  # web users visit less often
    return Users(
        user_id=np.arange(1, n + 1, dtype=np.int64) + 1_000_000,
        signup_day=signup_day,
        country=choose(rng, COUNTRIES, n),
        platform=platform,
        age_bucket=choose(rng, AGE_BUCKETS, n),
        is_creator=rng.random(n) < 0.06,
        activity=activity,
        intensity=rng.lognormal(0.0, 0.8, n),
        save_p=np.clip(0.045 * rng.lognormal(0.0, 0.35, n), 0.001, 0.5),
        click_p=np.clip(0.022 * rng.lognormal(0.0, 0.35, n), 0.001, 0.5),
        closeup_p=np.clip(0.11 * rng.lognormal(0.0, 0.3, n), 0.005, 0.8),
        hide_p=np.clip(0.006 * rng.lognormal(0.0, 0.4, n), 0.0002, 0.2),
        seconds=2.2 * rng.lognormal(0.0, 0.3, n),
        favourite=choose(rng, CATEGORIES, n),
    )


@dataclass(frozen=True)
class Assignment:
    experiment: PlantedExperiment
    user_index: IntArray
    variant: npt.NDArray[np.str_]
    assigned_day: IntArray


def assign(rng: np.random.Generator, users: Users) -> list[Assignment]:
    """Enroll eligible users (signed up before the start) and bucket them by delivered split."""
    import numpy as np

    out = []
    for exp in PLANTED:
        start = (exp.start - FIRST_DAY).days
        eligible = np.flatnonzero(users.signup_day < start)
        enrolled = eligible[rng.random(eligible.size) < exp.allocation]
        arms = np.array(list(exp.delivered_split))
        shares = np.array(list(exp.delivered_split.values()))
        variant = arms[rng.choice(arms.size, size=enrolled.size, p=shares / shares.sum())]
        # First exposure spreads over the first week, as users come back to the surface.
        offset = np.minimum(rng.geometric(0.45, enrolled.size) - 1, 6)
        out.append(Assignment(exp, enrolled, variant, start + offset))
    return out


def effect_multipliers(
    assignments: list[Assignment], n_users: int, day: int, surface: str
) -> dict[str, FloatArray]:
    """Per-user multipliers for `day` on `surface` from every experiment that is live there."""
    import numpy as np

    mult = {f: np.ones(n_users) for f in ArmEffect.__dataclass_fields__}
    for a in assignments:
        exp = a.experiment
        end = (exp.end - FIRST_DAY).days
        if exp.surface != surface or not exp.effects or day > end:
            continue
        live = a.assigned_day <= day
        for arm, effect in exp.effects.items():
            idx = a.user_index[live & (a.variant == arm)]
            for f in mult:
                mult[f][idx] *= getattr(effect, f)
    return mult


def engagement_rows(
    rng: np.random.Generator, users: Users, assignments: list[Assignment], day: int
) -> dict[str, np.ndarray]:
    """One day of `engagement_daily`: a row per (user, surface) the user visited."""
    import numpy as np

    n = users.user_id.size
    season = weekly_factor(day)
    signed_up = users.signup_day <= day
    visits = signed_up & (rng.random(n) < np.minimum(users.activity * season, 0.98))
    cols: dict[str, list[np.ndarray]] = {
        k: []
        for k in (
            "user_idx",
            "surface",
            "impressions",
            "closeups",
            "saves",
            "clicks",
            "hides",
            "time",
        )
    }
    for surface, (share, mean_impr) in SURFACES.items():
        on_surface = visits & (rng.random(n) < share)
        idx = np.flatnonzero(on_surface)
        if idx.size == 0:
            continue
        m = {k: v[idx] for k, v in effect_multipliers(assignments, n, day, surface).items()}
        lam = users.intensity[idx] * mean_impr * season * m["impressions"]
        impr = rng.poisson(lam) + 1
        saves = rng.binomial(impr, np.clip(users.save_p[idx] * m["save_prob"], 0, 1))
        clicks = rng.binomial(impr, np.clip(users.click_p[idx] * m["click_prob"], 0, 1))
        hides = rng.binomial(impr, np.clip(users.hide_p[idx] * m["hide_prob"], 0, 1))
        closeups = rng.binomial(impr, users.closeup_p[idx])
        secs = users.seconds[idx] * m["seconds_per_impression"]
        time = rng.gamma(2.0 * impr, secs / 2.0)
        for key, val in (
            ("user_idx", idx),
            ("impressions", impr),
            ("closeups", closeups),
            ("saves", saves),
            ("clicks", clicks),
            ("hides", hides),
            ("time", time),
        ):
            cols[key].append(val)
        cols["surface"].append(np.full(idx.size, surface))
    return {k: np.concatenate(v) for k, v in cols.items()}
