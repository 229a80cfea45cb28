"""The election desk and measurement: polls and the polling average, turnout projections,
results analysis, experiments and issue alignment. Aggregates only: every staff member sees
them."""
