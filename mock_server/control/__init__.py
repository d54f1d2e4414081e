"""The simulator's own API under /_mock/: tenants, reset, state, journal, clock."""
