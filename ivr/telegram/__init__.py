"""The Telegram channel's adapter: the bot's webhook (webhook.py), its updates read (updates.py), and
sendMessage, its notifier (bot_api.py). Its registry entry is in ivr/channels.py."""
