"""The SQL validator: every statement passes `validate_sql` before it reaches a warehouse.

One module per rule under `rules/`, chained from `rules.RULES`; `validate.validate_sql` runs them.
"""
