"""An ads-delivery warehouse: advertisers, campaigns, daily delivery stats, creatives, invoices.

Deterministic for a seed; delivery runs 2026-03-01..2026-05-31. Invoice dates are stored as
ISO text (as many billing exports do), so only their content says they are dates.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.planner.warehouses.load_rows import create_table

BRAND_WORDS = [
    "Acme",
    "Bluebird",
    "Crescent",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Jade",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchid",
    "Pioneer",
    "Quartz",
    "Redwood",
    "Summit",
    "Tidal",
]
BRAND_TAILS = ["Outdoor", "Travel", "Bank", "Games", "Motors", "Foods", "Labs"]
INDUSTRIES = ["retail", "travel", "finance", "gaming", "automotive", "food"]
COUNTRIES = ["United States", "United Kingdom", "Germany", "France", "Japan", "Brazil"]
OBJECTIVES = ["awareness", "traffic", "conversions", "app_installs"]
SEASONS = ["Spring", "Summer", "Launch", "Brand", "Retarget", "Promo"]
PLACEMENTS = ["feed", "stories", "search", "sidebar"]
DEVICES = ["mobile", "desktop", "tablet"]
START = date(2026, 3, 1)
END = date(2026, 5, 31)


def build_ads(path: Path, *, seed: int = 23) -> None:
    import duckdb

    rng = random.Random(seed)
    con = duckdb.connect(str(path))
    try:
        _advertisers(con, rng)
        campaigns = _campaigns(con, rng)
        _stats(con, rng, campaigns)
        _creatives(con, rng, campaigns)
        _invoices(con, rng)
    finally:
        con.close()


def _advertisers(con: Any, rng: random.Random) -> None:
    names = rng.sample([f"{a} {b}" for a in BRAND_WORDS for b in BRAND_TAILS], 60)
    rows = [
        (
            i,
            name,
            rng.choice(INDUSTRIES),
            rng.choices(COUNTRIES, [35, 15, 15, 12, 13, 10])[0],
            rng.random() < 0.3,
        )
        for i, name in enumerate(names, start=1)
    ]
    create_table(
        con,
        "CREATE TABLE advertisers (advertiser_id BIGINT, advertiser_name VARCHAR, "
        "industry VARCHAR, country VARCHAR, is_agency BOOLEAN)",
        "advertisers",
        rows,
    )


def _campaigns(con: Any, rng: random.Random) -> list[tuple[int, date, date]]:
    rows = []
    windows = []
    for i in range(1, 201):
        start = START + timedelta(days=rng.randrange(80))
        status = rng.choices(["active", "paused", "completed", "draft"], [40, 15, 35, 10])[0]
        end: date | None = None
        if status == "completed":
            end = min(END, start + timedelta(days=rng.randrange(7, 45)))
        name = f"{rng.choice(SEASONS)} {rng.choice(OBJECTIVES).replace('_', ' ').title()} {i:03d}"
        budget = round(rng.choice([50, 100, 150, 250, 400, 800]) * rng.uniform(0.8, 1.2), 2)
        rows.append(
            (i, rng.randrange(1, 61), name, rng.choice(OBJECTIVES), status, start, end, budget)
        )
        if status != "draft":
            stop = end or (start + timedelta(days=20) if status == "paused" else END)
            windows.append((i, start, min(stop, END)))
    create_table(
        con,
        "CREATE TABLE campaigns (campaign_id BIGINT, advertiser_id BIGINT, campaign_name VARCHAR, "
        "objective VARCHAR, status VARCHAR, start_date DATE, end_date DATE, daily_budget DOUBLE)",
        "campaigns",
        rows,
    )
    return windows


def _stats(con: Any, rng: random.Random, windows: list[tuple[int, date, date]]) -> None:
    rows = []
    for cid, start, stop in windows:
        scale = rng.uniform(0.3, 3.0)
        pairs = rng.sample([(p, d) for p in PLACEMENTS for d in DEVICES], 2)
        day = start
        while day <= stop:
            weekend = 1.25 if day.weekday() >= 5 else 1.0
            for placement, device in pairs:
                imps = int(rng.uniform(200, 2000) * scale * weekend)
                clicks = int(imps * rng.uniform(0.005, 0.04))
                conv = int(clicks * rng.uniform(0.0, 0.15))
                spend = round(imps / 1000 * rng.uniform(2, 9), 2)
                rows.append((day, cid, placement, device, imps, clicks, conv, spend))
            day += timedelta(days=1)
    create_table(
        con,
        "CREATE TABLE ad_stats_daily (stat_date DATE, campaign_id BIGINT, placement VARCHAR, "
        "device VARCHAR, impressions INTEGER, clicks INTEGER, conversions INTEGER, spend DOUBLE)",
        "ad_stats_daily",
        rows,
    )


def _creatives(con: Any, rng: random.Random, windows: list[tuple[int, date, date]]) -> None:
    rows = []
    cid = 0
    for campaign, start, _stop in windows:
        for _ in range(rng.choice([1, 2, 2, 3, 4, 6])):
            cid += 1
            fmt = rng.choices(["image", "video", "carousel"], [5, 3, 2])[0]
            made = start - timedelta(days=rng.randrange(0, 10))
            rows.append((cid, campaign, fmt, rng.random() < 0.82, max(made, START)))
    create_table(
        con,
        "CREATE TABLE creatives (creative_id BIGINT, campaign_id BIGINT, format VARCHAR, "
        "is_approved BOOLEAN, created_on DATE)",
        "creatives",
        rows,
    )


def _invoices(con: Any, rng: random.Random) -> None:
    rows = []
    iid = 0
    for month_end in (date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)):
        for adv in range(1, 61):
            if rng.random() < 0.75:
                iid += 1
                status = rng.choices(["paid", "open", "overdue"], [70, 20, 10])[0]
                amount = round(rng.uniform(500, 20000), 2)
                rows.append((iid, adv, month_end.isoformat(), amount, status))
    create_table(
        con,
        "CREATE TABLE invoices (invoice_id BIGINT, advertiser_id BIGINT, issued_on VARCHAR, "
        "amount DOUBLE, invoice_status VARCHAR)",
        "invoices",
        rows,
    )
