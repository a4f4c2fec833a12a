"""Resilience: exposure of flows to routes and countries, disruptions, region max-flow."""
