// Exposes Spark 2.2.0's own encoders to tests/test_pack.py as window.sparkEncoder.
// Nothing here encodes a splat itself: every byte comes from setPackedSplat,
// utils.encodeSh1Rgb and utils.encodeSh2Rgb (src/utils.ts in the package's source map).
// Data crosses the page boundary as base64 of little-endian typed arrays, which keeps
// NaN, Inf, -0 and every double exact.
import { setPackedSplat, toHalf, utils, defines } from "@sparkjsdev/spark";

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
  info() {
    return {
      hasFloat16Array: "Float16Array" in globalThis,
      // 1 + 0.75 ulp of float16: round-to-nearest gives 0x3c01, the truncating fallback 0x3c00.
      toHalfOnePointFiveUlp: toHalf(1 + 2 ** -11 + 2 ** -12),
      SCALE_ZERO: defines.SCALE_ZERO,
      LN_SCALE_MIN: defines.LN_SCALE_MIN,
      LN_SCALE_MAX: defines.LN_SCALE_MAX,
      SPLAT_TEX_WIDTH: defines.SPLAT_TEX_WIDTH,
      userAgent: navigator.userAgent,
    };
  },

  // b64: Float64Array of N rows [x y z sx sy sz qx qy qz qw opacity r g b].
  packSplats(b64) {
    const v = new Float64Array(fromB64(b64));
    const n = v.length / 14;
    const out = new Uint32Array(n * 4);
    for (let i = 0, k = 0; i < n; i++, k += 14) {
      setPackedSplat(out, i, v[k], v[k + 1], v[k + 2], v[k + 3], v[k + 4], v[k + 5],
        v[k + 6], v[k + 7], v[k + 8], v[k + 9], v[k + 10], v[k + 11], v[k + 12], v[k + 13]);
    }
    return toB64(out);
  },

  // b64: Float32Array of N rows of K*3 coefficients (K = 3 or 8), coefficient-major.
  packSh(b64, k, sh1Max, sh2Max) {
    const v = new Float32Array(fromB64(b64));
    const row = k * 3;
    const n = v.length / row;
    const sh1 = new Uint32Array(n * 2); // encodeSh1Rgb ORs bits in: must start zeroed
    const sh2 = k === 8 ? new Uint32Array(n * 4) : new Uint32Array(0);
    for (let i = 0; i < n; i++) {
      utils.encodeSh1Rgb(sh1, i, v.subarray(i * row, i * row + 9), { sh1Max });
      if (k === 8) {
        utils.encodeSh2Rgb(sh2, i, v.subarray(i * row + 9, i * row + 24), { sh2Max });
      }
    }
    return [toB64(sh1), toB64(sh2)];
  },
};
window.sparkEncoderReady = true;
