"""Verifying everything that claims to be someone: tokens, keys and signed links."""
