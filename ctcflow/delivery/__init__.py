"""Sending the outbox exactly once: claims, channels, apprise, retries."""
