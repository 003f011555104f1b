"""Notifications: outbox, grouping, rate limits and delivery over e-mail, Telegram and webhooks."""
