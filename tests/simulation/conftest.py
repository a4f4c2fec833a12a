"""Fixtures for the simulation tests: small factories, no hidden state."""

from __future__ import annotations
