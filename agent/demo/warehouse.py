"""Write the Pinlab demo warehouse (DuckDB) from a seed — same seed, identical data: the last
stage of population (`population.py`) → tables (`tables.py`) → warehouse."""

from __future__ import annotations

from pathlib import Path

from agent.demo.population import (
    FIRST_DAY,
    PINS_PER_SCALE,
    USERS_PER_SCALE,
    Progress,
    assign,
    engagement_rows,
    make_users,
    n_days,
)


def write_warehouse(
    path: Path, *, scale: float = 1.0, seed: int = 7, progress: Progress | None = None
) -> dict[str, int]:
    """Build the whole warehouse at `path` (replaced if present); returns row counts."""
    import duckdb
    import numpy as np
    import pandas as pd

    from agent.demo.tables import (
        experiments_frame,
        pins_frames,
        user_features_frame,
        users_frame,
        write_tables,
    )

    say = progress or (lambda _msg: None)
    rng = np.random.default_rng(seed)
    n_users = max(500, int(USERS_PER_SCALE * scale))
    users = make_users(rng, n_users)
    assignments = assign(rng, users)

    say(f"simulating {n_users:,} users over {n_days()} days")
    days = []
    for day in range(n_days()):
        rows = engagement_rows(rng, users, assignments, day)
        rows["day"] = np.full(rows["user_idx"].size, day)
        days.append(rows)
    eng = {k: np.concatenate([d[k] for d in days]) for k in days[0]}
    engagement = pd.DataFrame(
        {
            "dt": np.datetime64(FIRST_DAY) + eng["day"].astype("timedelta64[D]"),
            "user_id": users.user_id[eng["user_idx"]],
            "surface": eng["surface"],
            "impressions": eng["impressions"],
            "closeups": eng["closeups"],
            "saves": eng["saves"],
            "clicks": eng["clicks"],
            "hides": eng["hides"],
            "time_spent_s": np.round(eng["time"], 1),
        }
    )

    say("deriving pins, features and experiment tables")
    pins, pin_engagement = pins_frames(rng, users, max(200, int(PINS_PER_SCALE * scale)))
    features = user_features_frame(rng, users, eng)
    experiments, assignments_df = experiments_frame(users, assignments)

    say(f"writing {path.name}")
    if path.exists():
        path.unlink()
    # No progress bar: the CLI shows its own, and DuckDB's would interleave with it.
    con = duckdb.connect(str(path))
    try:
        con.execute("SET enable_progress_bar = false").fetchall()
        return write_tables(
            con,
            {
                "users": users_frame(users),
                "pins": pins,
                "engagement_daily": engagement,
                "pin_engagement_daily": pin_engagement,
                "user_features_daily": features,
                "experiments": experiments,
                "experiment_assignments": assignments_df,
            },
        )
    finally:
        con.close()
