"""Experiment analysis: per-arm sums computed in SQL, statistics in Python, verdicts.

The warehouse computes per-arm aggregates (n, sums, sums of squares, cross sums); the pure
estimators in `tools.experiments.stats` turn them into effects, p-values, intervals and a
verdict. Raw rows never come into Python, so the cost does not depend on the number of units.

- `stats/`         pure statistics (see its docstring)
- `statements/`    the SQL text: quoting, the experiment window, the statistics statement,
                   daily series, the catalog's experiment source
- `source`         experiment metadata rows
- `query`          running a statement through the validator (`run_validated`)
- `collect`        I/O: metadata + statements -> plain per-arm sums (`CollectedSums`)
- `compute`        pure: sums -> `ExperimentAnalysis`
- `analyze`        `analyze_experiment` = collect then compute
- `analysis_sql`   `lablens experiment sql`: the statements, readable, in any dialect
- `unit_table`     the catalog's unit table (for the units-missing check)
- `results`, `report`, `related_docs`, `daily`, `segment_join`, `result_cache`, `formatting`
"""
