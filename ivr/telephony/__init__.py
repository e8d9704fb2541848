"""Twilio adapter: signature checks, webhooks -> flow -> TwiML, recordings."""
