"""The audio a recording link serves: a short, real MP3 of silence, built from valid frames.

Every frame is an MPEG-1 Layer III frame (ISO/IEC 11172-3): a 4-byte header with the sync word,
no CRC, 32 kbit/s, 48 kHz, mono; then the 17-byte side information of a mono MPEG-1 frame, all
zeros (main_data_begin 0, every granule's part2_3_length and big_values 0, so every spectral
value is zero: silence); then zero bytes to the frame's length, 144 * bitrate / sample rate =
96 bytes exactly at these rates, so no frame needs a padding slot. Each frame holds 1152
samples (24 ms); any MP3 decoder plays the stream as silence of the stated duration.
"""

from __future__ import annotations

from functools import lru_cache

MEDIA_TYPE = "audio/mpeg"
SAMPLE_RATE = 48_000
BITRATE = 32_000
SAMPLES_PER_FRAME = 1152
FRAME_BYTES = 144 * BITRATE // SAMPLE_RATE  # 96
SIDE_INFO_BYTES = 17  # MPEG-1, one channel
BITRATE_INDEX = {32_000: 0b0001}  # MPEG-1 Layer III table: index 1 is 32 kbit/s
SAMPLE_RATE_INDEX = {44_100: 0b00, 48_000: 0b01, 32_000: 0b10}
MONO = 0b11
DEFAULT_SECONDS = 3.0


def frame_header() -> bytes:
    """The 32-bit header: sync (11 bits), MPEG-1 (11), Layer III (01), no CRC (1), bitrate, rate,
    no padding, private 0, mono, mode extension 0, not copyrighted, original, no emphasis."""
    return bytes((
        0xFF,
        0b1110_0000 | 0b11 << 3 | 0b01 << 1 | 1,
        BITRATE_INDEX[BITRATE] << 4 | SAMPLE_RATE_INDEX[SAMPLE_RATE] << 2,
        MONO << 6 | 0b0100,
    ))


def silent_frame() -> bytes:
    header = frame_header()
    return header + bytes(SIDE_INFO_BYTES) + bytes(FRAME_BYTES - len(header) - SIDE_INFO_BYTES)


@lru_cache(maxsize=8)
def silent_mp3(seconds: float = DEFAULT_SECONDS) -> bytes:
    """An MP3 stream of ``seconds`` (rounded up to whole frames, at least one) of silence."""
    frames = max(1, -(-round(seconds * SAMPLE_RATE) // SAMPLES_PER_FRAME))
    return silent_frame() * frames


def duration(data: bytes) -> float:
    """The playing time of a stream made by ``silent_mp3``."""
    return len(data) // FRAME_BYTES * SAMPLES_PER_FRAME / SAMPLE_RATE
