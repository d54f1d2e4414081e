"""Pure domain models (no I/O): call sessions and their renderings."""
