"""Provider callbacks: verify, persist, acknowledge fast. The worker does the work."""
