"""The demo's tables from the simulated population (users, pins, features, experiments) and
writing them with exact types: the middle stage of population → tables → warehouse."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.demo.population import (
    CATEGORIES,
    FIRST_DAY,
    SURFACES,
    Assignment,
    Users,
    choose,
    n_days,
    weekly_factor,
)

if TYPE_CHECKING:
    import duckdb
    import numpy as np
    import pandas as pd

FEATURE_WINDOW = 28

# Contract column types (DESIGN.md, "The demo workspace"); the CAST keeps them exact.
SCHEMA: dict[str, list[tuple[str, str]]] = {
    "users": [
        ("user_id", "BIGINT"),
        ("signup_date", "DATE"),
        ("country", "VARCHAR"),
        ("platform", "VARCHAR"),
        ("age_bucket", "VARCHAR"),
        ("is_creator", "BOOLEAN"),
    ],
    "pins": [
        ("pin_id", "BIGINT"),
        ("creator_id", "BIGINT"),
        ("category", "VARCHAR"),
        ("created_date", "DATE"),
        ("is_video", "BOOLEAN"),
        ("quality_score", "DOUBLE"),
    ],
    "engagement_daily": [
        ("dt", "DATE"),
        ("user_id", "BIGINT"),
        ("surface", "VARCHAR"),
        ("impressions", "INTEGER"),
        ("closeups", "INTEGER"),
        ("saves", "INTEGER"),
        ("clicks", "INTEGER"),
        ("hides", "INTEGER"),
        ("time_spent_s", "DOUBLE"),
    ],
    "pin_engagement_daily": [
        ("dt", "DATE"),
        ("pin_id", "BIGINT"),
        ("surface", "VARCHAR"),
        ("impressions", "INTEGER"),
        ("saves", "INTEGER"),
        ("clicks", "INTEGER"),
    ],
    "user_features_daily": [
        ("dt", "DATE"),
        ("user_id", "BIGINT"),
        ("saves_28d", "INTEGER"),
        ("impressions_28d", "INTEGER"),
        ("active_days_28d", "INTEGER"),
        ("top_category", "VARCHAR"),
    ],
    "experiments": [
        ("experiment_id", "VARCHAR"),
        ("name", "VARCHAR"),
        ("owner_team", "VARCHAR"),
        ("surface", "VARCHAR"),
        ("hypothesis", "VARCHAR"),
        ("start_date", "DATE"),
        ("end_date", "DATE"),
        ("primary_metric", "VARCHAR"),
        ("guardrail_metrics", "VARCHAR"),
        ("traffic_split", "VARCHAR"),
        ("status", "VARCHAR"),
    ],
    "experiment_assignments": [
        ("experiment_id", "VARCHAR"),
        ("user_id", "BIGINT"),
        ("variant", "VARCHAR"),
        ("assigned_date", "DATE"),
    ],
}
SORT_KEYS = {
    "engagement_daily": "dt, user_id, surface",
    "pin_engagement_daily": "dt, pin_id, surface",
    "user_features_daily": "dt, user_id",
    "users": "user_id",
    "pins": "pin_id",
    "experiments": "experiment_id",
    "experiment_assignments": "experiment_id, user_id",
}


def _dates(days: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.datetime64(FIRST_DAY) + days.astype("timedelta64[D]")


def pins_frames(
    rng: np.random.Generator, users: Users, n_pins: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pins by creators, and their daily engagement with Zipf-like popularity."""
    import numpy as np
    import pandas as pd

    creators = users.user_id[users.is_creator]
    category = choose(rng, CATEGORIES, n_pins)
    video_share = np.where(np.isin(category, ["recipes", "fitness", "beauty", "diy"]), 0.3, 0.12)
    created_day = -np.floor(rng.exponential(300.0, n_pins)).astype(np.int64) + n_days() - 1
    quality = rng.beta(5.0, 2.0, n_pins)
    pins = pd.DataFrame(
        {
            "pin_id": np.arange(1, n_pins + 1, dtype=np.int64) + 50_000_000,
            "creator_id": rng.choice(creators, n_pins),
            "category": category,
            "created_date": _dates(created_day),
            "is_video": rng.random(n_pins) < video_share,
            "quality_score": np.round(quality, 4),
        }
    )
    popularity = rng.pareto(1.6, n_pins) + 0.05
    save_p = 0.02 + 0.06 * quality
    frames = []
    for day in range(n_days()):
        season = weekly_factor(day)
        live = created_day <= day
        for surface, (share, mean_impr) in SURFACES.items():
            p = np.minimum(popularity * 0.15 * share, 0.95) * live
            idx = np.flatnonzero(rng.random(n_pins) < p)
            impr = rng.poisson(popularity[idx] * mean_impr * season) + 1
            frames.append(
                pd.DataFrame(
                    {
                        "dt": np.full(
                            idx.size, np.datetime64(FIRST_DAY) + np.timedelta64(day, "D")
                        ),
                        "pin_id": pins["pin_id"].to_numpy()[idx],
                        "surface": surface,
                        "impressions": impr,
                        "saves": rng.binomial(impr, save_p[idx]),
                        "clicks": rng.binomial(impr, 0.5 * save_p[idx]),
                    }
                )
            )
    return pins, pd.concat(frames, ignore_index=True)


def user_features_frame(
    rng: np.random.Generator, users: Users, eng: dict[str, np.ndarray]
) -> pd.DataFrame:
    """28-day rolling features per user and day, from the simulated engagement itself."""
    import numpy as np
    import pandas as pd

    n, d = users.user_id.size, n_days()
    flat = eng["user_idx"] * d + eng["day"]
    saves = np.bincount(flat, weights=eng["saves"], minlength=n * d).reshape(n, d)
    impr = np.bincount(flat, weights=eng["impressions"], minlength=n * d).reshape(n, d)
    active = (np.bincount(flat, minlength=n * d).reshape(n, d) > 0).astype(np.float64)

    def rolling(x: np.ndarray) -> np.ndarray:
        c = np.cumsum(x, axis=1)
        out = c.copy()
        out[:, FEATURE_WINDOW:] = c[:, FEATURE_WINDOW:] - c[:, :-FEATURE_WINDOW]
        return out

    s28, i28, a28 = rolling(saves), rolling(impr), rolling(active)
    user_idx, day = np.nonzero(a28 > 0)
    order = np.lexsort((user_idx, day))
    user_idx, day = user_idx[order], day[order]
    cats = np.array(list(CATEGORIES))
    top = users.favourite[user_idx].copy()
    drift = rng.random(top.size) < 0.1  # tastes wander a little from day to day
    top[drift] = cats[rng.integers(0, cats.size, drift.sum())]
    return pd.DataFrame(
        {
            "dt": _dates(day),
            "user_id": users.user_id[user_idx],
            "saves_28d": s28[user_idx, day].astype(np.int64),
            "impressions_28d": i28[user_idx, day].astype(np.int64),
            "active_days_28d": a28[user_idx, day].astype(np.int64),
            "top_category": top,
        }
    )


def experiments_frame(
    users: Users, assignments: list[Assignment]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    import numpy as np
    import pandas as pd

    meta = pd.DataFrame(
        [
            {
                "experiment_id": a.experiment.experiment_id,
                "name": a.experiment.name,
                "owner_team": a.experiment.owner_team,
                "surface": a.experiment.surface,
                "hypothesis": a.experiment.hypothesis,
                "start_date": a.experiment.start,
                "end_date": a.experiment.end,
                "primary_metric": a.experiment.primary_metric,
                "guardrail_metrics": ",".join(a.experiment.guardrails),
                "traffic_split": a.experiment.traffic_split,
                "status": a.experiment.status,
            }
            for a in assignments
        ]
    )
    rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "experiment_id": a.experiment.experiment_id,
                    "user_id": users.user_id[a.user_index],
                    "variant": a.variant,
                    "assigned_date": _dates(a.assigned_day),
                }
            )
            for a in assignments
        ],
        ignore_index=True,
    )
    return meta, rows.astype({"user_id": np.int64})


def write_tables(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Create each contract table from its frame with exact types, sorted for determinism."""
    counts = {}
    for table, columns in SCHEMA.items():
        con.register("frame", frames[table])
        select = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in columns)
        con.execute(
            f"CREATE TABLE {table} AS SELECT {select} FROM frame ORDER BY {SORT_KEYS[table]}"
        ).fetchall()
        con.unregister("frame")
        counts[table] = int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchall()[0][0])
    return counts


def users_frame(users: Users) -> object:
    import numpy as np
    import pandas as pd

    return pd.DataFrame(
        {
            "user_id": users.user_id,
            "signup_date": np.datetime64(FIRST_DAY) + users.signup_day.astype("timedelta64[D]"),
            "country": users.country,
            "platform": users.platform,
            "age_bucket": users.age_bucket,
            "is_creator": users.is_creator,
        }
    )
