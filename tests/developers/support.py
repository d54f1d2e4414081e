"""What the developers API's tests share: its token, its 401 messages, a schema check."""

from mock_server import schemas

MISSING = "Authentication failed: the token parameter is required."
INVALID = "Authentication failed: invalid token."


def token(tenant) -> str:
    return tenant.state.account["developer_token"]


def valid(schema: str, body) -> None:
    assert schemas.field_errors(schema, body) == {}, body
    assert schemas.fast_validator(schema).is_valid(body)
