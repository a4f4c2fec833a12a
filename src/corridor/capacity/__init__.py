"""Capacity elements, utilisation and the one delay function of waits at them."""
