"""The data model: component tables declared as data, networks and scenarios."""
