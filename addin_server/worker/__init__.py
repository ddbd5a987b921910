"""Claims persisted work and runs it: due steps, inbound notifications, renewals."""
