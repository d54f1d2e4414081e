"""The recording audio: a stream of valid MPEG-1 Layer III frames, checked by an independent parser
(ISO/IEC 11172-3 header tables written out here), and by mutagen / mpg123 when they are installed."""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from dataclasses import dataclass

import pytest
from hypothesis import given, settings, strategies as st

from mock_server.developers import audio

# ISO/IEC 11172-3 tables for MPEG-1 Layer III.
BITRATES = {i: kbps * 1000 for i, kbps in enumerate(
    (None, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)) if kbps}
SAMPLE_RATES = {0: 44_100, 1: 48_000, 2: 32_000}


@dataclass(frozen=True)
class Frame:
    offset: int
    length: int
    bitrate: int
    sample_rate: int
    channels: int
    protected: bool


def parse_frames(data: bytes) -> list[Frame]:
    """Every frame of an MPEG-1 Layer III stream; AssertionError at the first byte that is not one."""
    frames, offset = [], 0
    while offset < len(data):
        assert len(data) - offset >= 4, f"truncated header at {offset}"
        b0, b1, b2, b3 = data[offset:offset + 4]
        assert b0 == 0xFF and b1 >> 5 == 0b111, f"no frame sync at {offset}"
        assert (b1 >> 3) & 0b11 == 0b11, "not MPEG-1"
        assert (b1 >> 1) & 0b11 == 0b01, "not Layer III"
        bitrate, rate, padding = BITRATES.get(b2 >> 4), SAMPLE_RATES.get((b2 >> 2) & 0b11), (b2 >> 1) & 1
        assert bitrate and rate, "free-format or reserved bitrate / sample rate"
        assert b3 & 0b11 != 0b10, "reserved emphasis"
        length = 144 * bitrate // rate + padding
        channels = 1 if b3 >> 6 == 0b11 else 2
        assert offset + length <= len(data), f"truncated frame at {offset}"
        frames.append(Frame(offset, length, bitrate, rate, channels, protected=not b1 & 1))
        offset += length
    return frames


def test_the_stream_is_three_seconds_of_valid_mono_frames():
    data = audio.silent_mp3()
    frames = parse_frames(data)
    assert len(frames) == 125 and sum(f.length for f in frames) == len(data) == 12_000
    assert {(f.bitrate, f.sample_rate, f.channels, f.protected, f.length) for f in frames} == {(32_000, 48_000, 1, False, 96)}
    assert len(frames) * 1152 / 48_000 == audio.duration(data) == 3.0


def test_each_frame_carries_all_zero_side_information_so_it_decodes_to_silence():
    for frame in parse_frames(audio.silent_mp3()):
        body = audio.silent_mp3()[frame.offset + 4:frame.offset + frame.length]
        assert body == bytes(len(body))  # main_data_begin, part2_3_length, big_values, global_gain: all 0


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=0, max_value=30, allow_nan=False))
def test_any_duration_rounds_up_to_whole_frames(seconds):
    data = audio.silent_mp3(seconds)
    frames = parse_frames(data)
    assert len(frames) == max(1, -(-round(seconds * 48_000) // 1152))
    assert audio.duration(data) >= min(seconds, 1152 / 48_000) - 1e-9


def test_the_parser_refuses_what_is_not_a_stream():
    data = audio.silent_mp3(0.1)
    for broken in (data[:-1], b"\x00" + data, data[:2], b"RIFF" + data[4:], data[:1] + b"\xf3" + data[2:]):
        with pytest.raises(AssertionError):
            parse_frames(broken)


def test_mutagen_reads_it_as_a_three_second_mp3():
    mp3 = pytest.importorskip("mutagen.mp3")
    info = mp3.MP3(io.BytesIO(audio.silent_mp3())).info
    assert (info.length, info.bitrate, info.sample_rate, info.channels, info.layer, info.version) == (
        3.0, 32_000, 48_000, 1, 3, 1)


@pytest.mark.skipif(shutil.which("mpg123") is None, reason="mpg123 is not installed")
def test_mpg123_decodes_it_to_three_seconds_of_silence(tmp_path):
    source, decoded = tmp_path / "silent.mp3", tmp_path / "decoded.wav"
    source.write_bytes(audio.silent_mp3())
    run = subprocess.run(["mpg123", "-q", "-w", str(decoded), str(source)], capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr
    with wave.open(str(decoded)) as out:
        assert (out.getnframes(), out.getframerate(), out.getnchannels()) == (144_000, 48_000, 1)
        assert set(out.readframes(out.getnframes())) == {0}
