// Exposes Spark 2.2.0's own rotation encoder to tests/test_pack.py as window.sparkEncoder.
// Nothing here encodes a rotation itself: every code comes from utils.encodeQuatOctXy88R8
// (src/utils.ts in the package's source map), the function PackedSplats' setPackedSplat calls.
// Data crosses the page boundary as base64 of little-endian typed arrays, which keeps
// NaN, Inf, -0 and every double exact.
import { Quaternion } from "three";
import { utils } from "@sparkjsdev/spark";

function fromB64(s) {
  const bin = atob(s);
  const u8 = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
  return u8.buffer;
}

function toB64(typed) {
  const u8 = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  let s = "";
  for (let i = 0; i < u8.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

window.sparkEncoder = {
  // b64: Float64Array of N rows [x y z w]; returns each row's encodeQuatOctXy88R8 code
  // (angle << 16 | v << 8 | u) as a Uint32Array.
  encodeQuats(b64) {
    const v = new Float64Array(fromB64(b64));
    const out = new Uint32Array(v.length / 4);
    const q = new Quaternion();
    for (let i = 0; i < out.length; i++) {
      out[i] = utils.encodeQuatOctXy88R8(q.set(v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3]));
    }
    return toB64(out);
  },
};
window.sparkEncoderReady = true;
