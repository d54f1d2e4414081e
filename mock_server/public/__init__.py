"""The public API (publicapi.myoperator.co): WhatsApp Business under /chat, and /contacts."""
