"""The e-mail channel: `ivr mail poll` reads the utility's IMAP mailbox and answers through SMTP.

An adapter: it turns a letter into an `Incoming` for the MessageService, which does every database
write, and sends the service's reply. See docs/DESIGN.md, "The e-mail channel".
"""
