"""The name of each collection a tenant's documents are kept in: one constant each, used wherever a collection
is read or written, so a name is spelt once (the fixtures' ``state`` keys and the SQLite rows use them too)."""

# What the fixtures seed (fixtures/default.json: each tenant's "state")
ACCOUNT = "account"  # the one document of a tenant's own settings (credentials, wallet, service)
USERS = "users"
DEPARTMENTS = "departments"
DIDS = "dids"
IVRS = "ivrs"
CONTACTS = "contacts"
CUSTOM_FIELDS = "custom_fields"
WABA_ACCOUNTS = "waba_accounts"
PHONE_NUMBERS = "phone_numbers"
TEMPLATES = "templates"
CAMPAIGNS = "campaigns"
MEDIA = "media"

# What the APIs and the scenarios write
CALLS = "calls"
OBD_REQUESTS = "obd_requests"  # every accepted OBD request, kept for reference_id uniqueness and for tests
RECORDING_LINKS = "recording_links"
MESSAGES = "messages"
CONVERSATIONS = "conversations"
SCENARIO_RUNS = "scenario_runs"
SCENARIO_OVERRIDES = "scenario_overrides"
WEBHOOK_EVENTS = "webhook_events"
WEBHOOK_DELIVERIES = "webhook_deliveries"
JOBS = "jobs"  # each tenant's pending timed changes, kept across restarts
