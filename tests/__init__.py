"""dangan's test suite."""
