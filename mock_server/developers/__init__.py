"""The developers API (developers.myoperator.co): users, call logs, log filters, recordings."""
