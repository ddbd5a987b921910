"""Following reps' Google calendars: watch channels, their notifications, changes from the sync token."""
