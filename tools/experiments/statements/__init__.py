"""The SQL text of an experiment analysis, one module per idea (no I/O here).

- `quoting`            identifiers, literals and metric expressions rendered for a dialect
- `window`             ExperimentWindow, SegmentJoin, the metric table and its date column
- `experiment_source`  the catalog's experiment source, or a clear error
- `units`              the assigned-units CTE every statement starts from
- `stats_statement`    the per-arm sufficient statistics statement (`stats_sql`)
- `distinct_days`      the exact COUNT(DISTINCT date) rewrite
- `daily_statement`    daily per-arm sums and assignments (the report's time plot)
"""
