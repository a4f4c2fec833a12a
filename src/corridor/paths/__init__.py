"""Door-to-door routes: constrained least-cost search, legs, reliability, loading."""
