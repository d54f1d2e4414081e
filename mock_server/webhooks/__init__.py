"""Webhook delivery: who wants which events and how (``subscriptions``), the bytes each content type
puts on the wire (``encode``), and the dispatcher that POSTs them with retries on the server's clock
(``dispatcher``).

Nothing is imported here, so that the control plane and the CLI can use subscriptions and encoders
without loading the dispatcher.
"""
