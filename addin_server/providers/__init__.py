"""Gmail, Google Calendar and Microsoft Graph through their client libraries."""
