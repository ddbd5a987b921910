"""Following reps' Outlook mailboxes and calendars through Microsoft Graph: subscriptions, their
notifications and lifecycle events, the inbox delta and the events changed since the cursor."""
