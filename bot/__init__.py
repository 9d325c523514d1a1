"""The Telegram adapter: handlers, keyboards, texts, jobs and the `foodbot` command."""
