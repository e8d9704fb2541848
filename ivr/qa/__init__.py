"""QA: drive the hotline like Twilio does, simulate and replay test calls."""
