"""Use cases. The only layer that commits; never imports Flask."""
