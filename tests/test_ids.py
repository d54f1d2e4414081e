"""The run-time ids: the formatted uuid is exactly the stdlib's version-4 uuid of the same random bits, so a
seed still mints the ids it always minted."""

from __future__ import annotations

import random
import uuid

from mock_server.ids import IdFactory


def test_uuid_is_the_stdlib_version_4_uuid_of_the_same_bits():
    ids, bits = IdFactory(7, 3), random.Random("7:3")
    for _ in range(5000):
        assert ids.uuid() == str(uuid.UUID(int=bits.getrandbits(128), version=4))


def test_uuid_hex_is_the_same_uuid_without_its_dashes():
    one, other = IdFactory(7, 3), IdFactory(7, 3)
    for _ in range(1000):
        assert one.uuid_hex() == other.uuid().replace("-", "")
