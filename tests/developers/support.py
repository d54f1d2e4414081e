"""What the developers API's tests share: its token, its answer to a bad token, a schema check."""

from mock_server import schemas

# The live answer to a missing or unknown token (OBSERVED A.4), byte for byte.
UNAUTHORIZED = '{"status":"error","message":"This not an authorized request","code":400}'


def unauthorized(response) -> None:
    assert (response.status_code, response.text) == (400, UNAUTHORIZED), response.text
    valid("developers/error", response.json())


def token(tenant) -> str:
    return tenant.state.account["developer_token"]


def valid(schema: str, body) -> None:
    assert schemas.field_errors(schema, body) == {}, body
    assert schemas.fast_validator(schema).is_valid(body)
