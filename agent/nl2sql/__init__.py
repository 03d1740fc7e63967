"""Questions -> validated SQL: the offline planner at the edge, and the LLM path.

Both return a `tools.planner.SqlAnswer`; neither lets unvalidated SQL reach the warehouse.
"""
