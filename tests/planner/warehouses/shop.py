"""An e-commerce warehouse: customers, products, orders (with a timestamp), order lines, reviews.

Deterministic for a seed; data runs 2026-01-01..2026-06-30.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.planner.warehouses.load_rows import create_table

FIRST = [
    "Ana",
    "Ben",
    "Carla",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Keiko",
    "Liam",
    "Maya",
    "Nils",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
]
LAST = [
    "Silva",
    "Novak",
    "Berg",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Holm",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Olsen",
    "Petrov",
    "Rossi",
    "Schmidt",
    "Tanaka",
]
COUNTRIES = ["United States", "Canada", "Germany", "France", "Spain", "Italy", "Netherlands"]
COUNTRY_WEIGHTS = [30, 10, 18, 14, 10, 9, 9]
CATEGORIES = ["furniture", "lighting", "kitchen", "garden", "toys", "books", "electronics"]
BRANDS = ["Nordwood", "Lumo", "Cookwell", "Greenleaf", "Playra", "Inkhouse", "Voltic", "Basil"]
ADJECTIVES = [
    "Oak",
    "Walnut",
    "Brass",
    "Linen",
    "Cedar",
    "Copper",
    "Slate",
    "Maple",
    "Ivory",
    "Amber",
    "Cobalt",
    "Juniper",
]
NOUNS = {
    "furniture": ["Desk", "Chair", "Shelf", "Stool"],
    "lighting": ["Lamp", "Pendant", "Sconce"],
    "kitchen": ["Kettle", "Skillet", "Knife Set"],
    "garden": ["Planter", "Hose Reel", "Bench"],
    "toys": ["Puzzle", "Robot Kit", "Kite"],
    "books": ["Atlas", "Cookbook", "Novel"],
    "electronics": ["Speaker", "Charger", "Headphones"],
}
STATUSES = ["placed", "shipped", "delivered", "cancelled", "returned"]
STATUS_WEIGHTS = [8, 12, 62, 10, 8]
CHANNELS = ["web", "app", "marketplace"]
START = date(2026, 1, 1)
DAYS = 181  # through 2026-06-30


def build_shop(path: Path, *, seed: int = 11) -> None:
    import duckdb

    rng = random.Random(seed)
    con = duckdb.connect(str(path))
    try:
        _customers(con, rng)
        products = _products(con, rng)
        _orders(con, rng, products)
        _reviews(con, rng)
    finally:
        con.close()


def _customers(con: Any, rng: random.Random) -> None:
    names = rng.sample([f"{f} {last}" for f in FIRST for last in LAST], 300)
    rows = []
    for i, name in enumerate(names, start=1):
        country = rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
        signup = date(2025, 1, 1) + timedelta(days=rng.randrange(546))
        rows.append(
            (
                i,
                name,
                country,
                signup,
                rng.random() < 0.27,
                rng.choice(["consumer"] * 3 + ["business"]),
            )
        )
    create_table(
        con,
        "CREATE TABLE customers (customer_id BIGINT, full_name VARCHAR, country VARCHAR, "
        "signup_date DATE, is_premium BOOLEAN, segment VARCHAR)",
        "customers",
        rows,
    )


def _products(con: Any, rng: random.Random) -> list[tuple[int, float]]:
    names = []
    for cat in CATEGORIES:
        for noun in NOUNS[cat]:
            for adj in rng.sample(ADJECTIVES, 4):
                names.append((cat, f"{adj} {noun}"))
    rng.shuffle(names)
    rows = []
    prices = []
    for i, (cat, name) in enumerate(names, start=1):
        price = round(rng.uniform(8, 400) * (2.0 if cat in ("furniture", "electronics") else 1), 2)
        prices.append((i, price))
        rows.append((i, name, cat, rng.choice(BRANDS), price, rng.random() < 0.12))
    create_table(
        con,
        "CREATE TABLE products (product_id BIGINT, product_name VARCHAR, category VARCHAR, "
        "brand VARCHAR, list_price DOUBLE, is_discontinued BOOLEAN)",
        "products",
        rows,
    )
    return prices


def _orders(con: Any, rng: random.Random, products: list[tuple[int, float]]) -> None:
    customer_weights = [1.0 / (1 + (i % 60)) ** 0.6 for i in range(300)]
    product_weights = [1.0 / (1 + i) ** 0.8 for i in range(len(products))]
    orders, items = [], []
    item_id = 0
    for order_id in range(1, 3201):
        day = rng.randrange(DAYS)
        # Weekly seasonality: more orders at weekends.
        if (START + timedelta(days=day)).weekday() < 5 and rng.random() < 0.2:
            day = rng.randrange(DAYS)
        ts = datetime.combine(START + timedelta(days=day), datetime.min.time()) + timedelta(
            seconds=rng.randrange(86400)
        )
        customer = rng.choices(range(1, 301), customer_weights)[0]
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        channel = rng.choices(CHANNELS, [5, 4, 2])[0]
        fee = round(rng.choice([0.0, 0.0, 4.99, 7.5, 12.0]), 2)
        orders.append((order_id, customer, ts, status, channel, fee))
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            item_id += 1
            pid, price = rng.choices(products, product_weights)[0]
            discount = rng.choice([0.0, 0.0, 0.0, 0.05, 0.1, 0.2])
            items.append((item_id, order_id, pid, rng.choice([1, 1, 1, 2, 3, 4]), price, discount))
    create_table(
        con,
        "CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, ordered_at TIMESTAMP, "
        "status VARCHAR, channel VARCHAR, shipping_fee DOUBLE)",
        "orders",
        orders,
    )
    create_table(
        con,
        "CREATE TABLE order_items (order_item_id BIGINT, order_id BIGINT, product_id BIGINT, "
        "quantity INTEGER, unit_price DOUBLE, discount DOUBLE)",
        "order_items",
        items,
    )


def _reviews(con: Any, rng: random.Random) -> None:
    rows = []
    for i in range(1, 1201):
        pid = 1 + int(rng.paretovariate(1.2)) % 84
        rating = rng.choices([1, 2, 3, 4, 5], [5, 7, 15, 35, 38])[0]
        day = START + timedelta(days=rng.randrange(DAYS))
        rows.append((i, pid, rng.randrange(1, 301), day, rating, rng.random() < 0.7))
    create_table(
        con,
        "CREATE TABLE reviews (review_id BIGINT, product_id BIGINT, customer_id BIGINT, "
        "review_date DATE, rating INTEGER, is_verified BOOLEAN)",
        "reviews",
        rows,
    )
