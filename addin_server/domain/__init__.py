"""Pure product logic: no Flask, no SQLAlchemy, no I/O. Imports only the standard library."""
