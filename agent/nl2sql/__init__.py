"""Questions -> validated SQL with a language model, or else the offline planner (tools.planner).

Both return a `tools.planner.SqlAnswer`; neither lets unvalidated SQL reach the warehouse.
"""
