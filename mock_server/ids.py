"""Ids minted at run time: deterministic for a given seed, never repeated across restarts."""

from __future__ import annotations

import random
from datetime import datetime


class IdFactory:
    def __init__(self, seed: int, generation: int = 0):
        # The generation counts process starts on one data dir, so a restarted server does not
        # mint the ids it minted before.
        self._rng = random.Random(f"{seed}:{generation}")

    def uuid(self) -> str:
        """What ``str(uuid.UUID(int=<128 random bits>, version=4))`` gives, at a third of its cost."""
        h = self.uuid_hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def uuid_hex(self) -> str:
        """The next ``uuid()`` without its dashes (``uuid.UUID(...).hex``)."""
        n = self._rng.getrandbits(128) & ~(0xC000 << 48) | 0x8000 << 48  # the variant (RFC 4122)
        return f"{n & ~(0xF000 << 64) | 4 << 76:032x}"  # version 4

    def digits(self, n: int) -> str:
        return str(self._rng.randint(1, 9)) + "".join(str(self._rng.randint(0, 9)) for _ in range(n - 1))

    def object_id(self, at: datetime) -> str:
        """A MongoDB-style ObjectId (the Contacts API's ids): creation time, then randomness."""
        return f"{int(at.timestamp()):08x}{self._rng.getrandbits(64):016x}"
