"""Alert delivery to webhooks, for any part of the platform that raises alerts."""
