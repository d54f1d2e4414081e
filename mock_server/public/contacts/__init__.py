"""The Contacts API: /contacts."""
