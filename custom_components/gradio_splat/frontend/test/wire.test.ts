import { describe, expect, test } from "vitest";
import { deflateSync } from "node:zlib";
import {
	MAX_PIXELS,
	channel_of,
	decode_frame,
	inflate_exact,
	jpeg_size,
	parse_frame,
	undo_delta2d,
	type DecodedFrame
} from "../shared/wire";
import { FIXTURES, fixture_bytes, fixture_expected, jpeg_17x9, modified } from "./fixtures";

/** Channel `c` of a decoded frame's planes, H·W values. */
function channel(f: DecodedFrame, c: number): number[] {
	const n = f.header.camera.width * f.header.camera.height;
	const base = (c >> 2) * 4 * n + (c & 3);
	return Array.from({ length: n }, (_, k) => f.planes[base + 4 * k]);
}

describe("decode_frame", () => {
	test.each(FIXTURES)("decodes splat_core's %s frame as splat_core reads it", async (name) => {
		const expected = fixture_expected(name);
		const f = await decode_frame(fixture_bytes(name));
		const { header } = f;
		expect(header.camera).toEqual(expected.camera);
		expect(header.depth_range).toEqual(expected.depth_range);
		expect([header.mode, header.sh_degree, header.target_depth]).toEqual([
			expected.mode,
			expected.sh_degree,
			expected.target_depth
		]);
		expect(header.quant).toMatchObject(expected.quant);

		const { channels, layers } = channel_of(header.mode, header.sh_degree);
		const n = header.camera.width * header.camera.height;
		expect(f.layers).toBe(layers);
		expect(f.planes.length).toBe(layers * n * 4);
		const depth = channel(f, 4).map((hi, k) => (hi << 8) | channel(f, 5)[k]);
		expect(depth).toEqual(expected.planes.depth[0]);
		expect(f.valid).toBe(expected.planes.depth[0].filter((code) => code !== 0).length);
		expect(f.valid).toBeLessThan(n); // the fixtures have holes
		expect(channel(f, 3).every((a) => a === 255)).toBe(true); // opaque colour
		for (const [plane, values] of Object.entries(expected.planes)) {
			if (plane === "depth") continue;
			values.forEach((v, c) => expect(channel(f, channels[plane] + c), `${plane}[${c}]`).toEqual(v));
		}
	});

	test("ignores envelope keys and planes it does not know", async () => {
		const bytes = modified("points_lossless", (e) => {
			e.future_key = [1, 2];
			e.planes.normals = { codec: "future", channels: 3, bits: 8, data: [] };
		});
		expect((await decode_frame(bytes)).valid).toBe((await decode_frame(fixture_bytes("points_lossless"))).valid);
	});
});

describe("parse_frame rejects", () => {
	const p = "points_lossless";
	const g = "gaussians_sh2_lossless";
	test.each([
		["a version 1 frame", p, (e: any) => (e.version = 1), /wire version 1 is no longer supported.*reads version 2/],
		["an unknown version", p, (e: any) => (e.version = 3), /unknown wire version 3/],
		["a frame without a version", p, (e: any) => (e.version = undefined), /unknown wire version undefined/],
		["another format", p, (e: any) => (e.format = "other"), /not a gradio-splat frame/],
		["a grid of 10^9 pixels", p, (e: any) => (e.camera.width = e.camera.height = 31_623), /31623×31623 is outside/],
		["a grid over the pixel limit", p, (e: any) => (e.camera.width = e.camera.height = 2049), /outside/],
		["a side over 4096", p, (e: any) => ((e.camera.width = 4097), (e.camera.height = 1)), /outside/],
		["an empty grid", p, (e: any) => (e.camera.width = 0), /outside/],
		["a fractional size", p, (e: any) => (e.camera.height = 6.5), /outside/],
		["a bad focal length", p, (e: any) => (e.camera.fx = 0), /intrinsics/],
		["an unknown mode", p, (e: any) => (e.mode = "voxels"), /unknown mode "voxels"/],
		["SH degree 3", p, (e: any) => (e.sh_degree = 3), /sh_degree/],
		["near = 0", p, (e: any) => (e.depth_range = [0, 2]), /depth_range/],
		["near > far", p, (e: any) => (e.depth_range = [3, 2]), /depth_range/],
		["no target depth", p, (e: any) => (e.target_depth = undefined), /target_depth/],
		["a missing plane", g, (e: any) => (e.planes.rotation = undefined), /plane 'rotation' is missing/],
		["SH without its plane", p, (e: any) => ((e.sh_degree = 1), (e.quant = { sh_max: [1, 1] })), /'sh' is missing/],
		["SH planes of another degree", g, (e: any) => (e.planes.sh.channels = 9), /'sh' must be 24 channels/],
		["8-bit depth", p, (e: any) => (e.planes.depth.bits = 8), /'depth' must be 1 channels of 16 bits/],
		["a JPEG depth", p, (e: any) => (e.planes.depth.codec = "jpeg"), /'depth' cannot use codec "jpeg"/],
		["an unknown codec", p, (e: any) => (e.planes.color.codec = "webp"), /'color' cannot use codec "webp"/],
		["a stream missing", p, (e: any) => e.planes.depth.data.pop(), /'depth' must have 2 zlib streams/],
		["one stream for all", p, (e: any) => (e.planes.color.data = e.planes.color.data[0]), /3 zlib streams/],
		["a stream that is not bytes", g, (e: any) => (e.planes.scale.data[1] = "x"), /'scale' must have 3/],
		["a JPEG that is not bytes", p, (e: any) => (e.planes.color = { ...e.planes.color, codec: "jpeg", data: [] }), /no binary/],
		["no log-scale range", g, (e: any) => (e.quant.log_scale_range = undefined), /log_scale_range/],
		["an inverted log-scale range", g, (e: any) => (e.quant.log_scale_range = [1, 0]), /not \[lo, hi\]/],
		["a negative offset range", g, (e: any) => (e.quant.offset_range = -1), /offset_range/],
		["a negative SH range", g, (e: any) => (e.quant.sh_max = [-1, 1]), /sh_max/]
	])("%s", (_, name, change, message) => {
		expect(() => parse_frame(modified(name as any, change))).toThrow(message);
	});

	test("bytes that are not msgpack", () => {
		expect(() => parse_frame(new Uint8Array([0xc1]))).toThrow(/not msgpack/);
	});

	test("checks the grid before anything is allocated", async () => {
		expect(MAX_PIXELS).toBe(2048 * 2048);
		const bytes = modified("points_lossless", (e) => (e.camera.width = e.camera.height = 31_623));
		await expect(decode_frame(bytes)).rejects.toThrow(/outside/);
	});
});

describe("decode_frame rejects broken planes", () => {
	const n = 13 * 7;
	test.each([
		["a truncated stream", (d: Uint8Array[]) => [d[0], d[1].subarray(0, d[1].length >> 1)], /'depth' is not a valid zlib stream/],
		["a corrupt stream", (d: Uint8Array[]) => [d[0].map((b, i) => (i > 1 ? b ^ 0x5a : b)), d[1]], /plane 'depth'/],
		["a stream one byte short", (d: Uint8Array[]) => [deflateSync(new Uint8Array(n - 1)), d[1]], /inflates to 90 bytes, not 91/],
		["a stream that inflates too far", (d: Uint8Array[]) => [d[0], deflateSync(new Uint8Array(100 * n))], /more than 91 bytes/]
	])("%s", async (_, change, message) => {
		const bytes = modified("points_lossless", (e) => (e.planes.depth.data = change(e.planes.depth.data)));
		await expect(decode_frame(bytes)).rejects.toThrow(message);
	});

	test("a JPEG of another size, from its header, before decoding it", async () => {
		const bytes = modified("points_lossless", (e) => (e.planes.color = { codec: "jpeg", channels: 3, bits: 8, data: jpeg_17x9() }));
		await expect(decode_frame(bytes)).rejects.toThrow(/'color' is 17×9, not 13×7/);
	});

	test("a colour plane that is no JPEG", async () => {
		const bytes = modified("points_lossless", (e) => (e.planes.color = { codec: "jpeg", channels: 3, bits: 8, data: new Uint8Array(50) }));
		await expect(decode_frame(bytes)).rejects.toThrow(/'color' is not a JPEG/);
	});
});

describe("inflate_exact", () => {
	const data = new Uint8Array(5000).map((_, i) => (i * 7) & 255);
	test("fills its output exactly", async () => {
		const out = new Uint8Array(5000);
		await inflate_exact(deflateSync(data), out, "x");
		expect(out).toEqual(data);
	});
	test.each([
		[4999, /more than 4999 bytes/],
		[5001, /inflates to 5000 bytes, not 5001/]
	])("refuses a stream that does not inflate to %i bytes", async (size, message) => {
		await expect(inflate_exact(deflateSync(data), new Uint8Array(size), "x")).rejects.toThrow(message);
	});
});

/** The encoder's predictor (docs/wire-format.md): mixed second differences mod 2^bits. */
function delta2d(x: Uint8Array | Uint16Array, w: number, h: number): Uint8Array | Uint16Array {
	const r = new (x.constructor as Uint8ArrayConstructor | Uint16ArrayConstructor)(x.length);
	const at = (i: number, j: number) => (i < 0 || j < 0 ? 0 : x[i * w + j]);
	for (let i = 0; i < h; i++) {
		for (let j = 0; j < w; j++) r[i * w + j] = at(i, j) - at(i, j - 1) - at(i - 1, j) + at(i - 1, j - 1);
	}
	return r;
}

describe("undo_delta2d", () => {
	test.each([
		[Uint8Array, 255],
		[Uint16Array, 65535]
	])("inverts the predictor (%o)", (Type, max) => {
		let seed = 1;
		const random = () => (seed = (seed * 48271) % 2147483647) % (max + 1);
		const [w, h] = [7, 5];
		const x = new Type(w * h).map(random);
		const r = delta2d(x, w, h);
		expect(r).not.toEqual(x);
		undo_delta2d(r, w, h);
		expect(r).toEqual(x);
	});

	test("gives back an affine ramp from its zero residuals", () => {
		const [w, h] = [6, 4];
		const ramp = new Uint16Array(w * h).map((_, k) => 60_000 + 3 * (k % w) + 500 * Math.floor(k / w));
		const r = delta2d(ramp, w, h);
		expect(Array.from(r.subarray(w + 1)).filter((v, k) => (k + w + 1) % w !== 0)).toEqual(
			new Array((w - 1) * (h - 1)).fill(0)
		);
		undo_delta2d(r, w, h);
		expect(r).toEqual(ramp);
	});
});

describe("jpeg_size", () => {
	test("reads a JPEG's frame header", () => {
		expect(jpeg_size(jpeg_17x9())).toEqual([17, 9]);
	});
	test("is null for what is not a JPEG, or one cut before its frame header", () => {
		expect(jpeg_size(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
		expect(jpeg_size(jpeg_17x9().subarray(0, 30))).toBeNull();
	});
});
