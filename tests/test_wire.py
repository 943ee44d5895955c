import msgpack
import pytest

from splat_core.wire import Camera, Frame, decode_frame, encode_frame

CAMERA = Camera(width=504, height=378, fx=400.0, fy=401.0, cx=252.0, cy=189.0)


def make_frame(n=3, **kwargs):
    fields = dict(packed=bytes(range(16)) * n, num_splats=n, mode="gaussians", camera=CAMERA,
                  target_depth=2.5, frame_id=7, timings_ms={"model": 12.5})
    return Frame(**{**fields, **kwargs})


def test_round_trip_keeps_every_field():
    frame = make_frame(sh1=b"\1" * 24, sh2=b"\2" * 48, sh_max=(0.1, 0.02))
    back = decode_frame(encode_frame(frame))
    assert back.packed == frame.packed and back.num_splats == 3 and back.mode == "gaussians"
    assert back.camera == CAMERA and back.target_depth == 2.5 and back.frame_id == 7
    assert back.sh1 == frame.sh1 and back.sh2 == frame.sh2 and back.sh_max == (0.1, 0.02)
    assert back.sh_degree == 2 and back.timings_ms == {"model": 12.5} and back.server_time > 0


def test_envelope_is_plain_msgpack_with_documented_keys():
    envelope = msgpack.unpackb(encode_frame(make_frame()))
    assert envelope["format"] == "gradio-splat" and envelope["version"] == 1
    assert set(envelope) == {"format", "version", "frame_id", "mode", "num_splats", "packed", "sh_degree",
                             "camera", "target_depth", "timings_ms", "server_time"}


def test_unknown_keys_are_ignored():
    envelope = msgpack.unpackb(encode_frame(make_frame()))
    envelope["future_field"] = [1, 2]
    assert decode_frame(msgpack.packb(envelope)).num_splats == 3


@pytest.mark.parametrize("change, message", [
    (dict(num_splats=4), "expected 4 × 16"),
    (dict(mode="voxels"), "mode"),
    (dict(sh1=b"\0" * 24), "sh_max"),
    (dict(sh1=b"\0" * 10, sh_max=(1, 1)), "sh1 holds"),
    (dict(sh2=b"\0" * 48, sh_max=(1, 1)), "sh2 needs sh1"),
])
def test_inconsistent_frames_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        encode_frame(make_frame(**change))


@pytest.mark.parametrize("data, message", [
    (b"\xc1garbage", "not a msgpack"),
    (msgpack.packb({"format": "other"}), "not a gradio-splat"),
    (msgpack.packb({"format": "gradio-splat", "version": 99}), "unsupported wire version"),
    (msgpack.packb({"format": "gradio-splat", "version": 1}), "malformed"),
])
def test_decoder_rejects_foreign_data(data, message):
    with pytest.raises(ValueError, match=message):
        decode_frame(data)
