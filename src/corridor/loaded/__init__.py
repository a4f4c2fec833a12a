"""The loaded network: a scenario's demand settled on its capacities, the input of every consumer."""
