"""Following reps' Gmail mailboxes: Pub/Sub pushes, the watch, history from the stored history id."""
