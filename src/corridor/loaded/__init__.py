"""The loaded network: a scenario's demand settled on its capacities; every consumer reads it."""
