"""WhatsApp Business: templates, campaigns, phone numbers, media and messages."""
