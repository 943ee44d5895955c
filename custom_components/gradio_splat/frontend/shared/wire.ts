// Reads one wire frame, version 2 (docs/wire-format.md, the contract; splat_core/wire.py writes
// it). `parse_frame` checks the msgpack envelope, `decode_planes` turns the compressed planes into
// the bytes of the one texture that live_splats.ts uploads. The decode worker (decode_worker.ts) runs
// both, so none of this touches the main thread.
import { decode } from "@msgpack/msgpack";

export const WIRE_FORMAT = "gradio-splat";
export const WIRE_VERSION = 2;
// Limits checked before anything is allocated: 1 ≤ W, H ≤ 4096 and W·H ≤ Spark's 2048×2048
// splat texture layer.
export const MAX_SIDE = 4096;
export const MAX_PIXELS = 2048 * 2048;
export const DEPTH_LEVELS = 65534; // depth codes 1..65535; 0 marks a pixel without a splat

export type Mode = "points" | "gaussians";
type Codec = "delta2d" | "jpeg";

export interface Intrinsics {
	width: number;
	height: number;
	fx: number;
	fy: number;
	cx: number;
	cy: number;
}

export interface Plane {
	codec: Codec;
	channels: number;
	bits: 8 | 16;
	// delta2d: one zlib stream per byte plane (C · bits/8 of them, each inflating to H · W bytes);
	// jpeg: the JPEG file.
	data: Uint8Array[] | Uint8Array;
}

export interface Quant {
	offset_range: number; // pixels (gaussians)
	log_scale_range: [number, number]; // [lo, hi] (gaussians)
	sh_max: [number, number]; // [m1, m2] (sh_degree ≥ 1)
}

export interface WireFrame {
	frame_id: number;
	mode: Mode;
	camera: Intrinsics;
	depth_range: [number, number]; // [near, far]
	planes: Record<string, Plane>; // only the planes this mode reads; others are ignored
	sh_degree: 0 | 1 | 2;
	quant: Quant;
	target_depth: number;
	timings_ms: Record<string, number>;
	server_time: number; // Unix seconds
	pose?: number[]; // scan deltas: camera → world, 4 × 4 row-major, OpenCV axes
	scan?: ScanDelta; // scan deltas: what else changed in the scene
}

/** A scan delta's `scan` map (docs/wire-format.md, "Scan deltas"). */
export interface ScanDelta {
	scene: number; // a new id: the scene was reset, drop what is shown
	keyframe: number; // this delta's keyframe (-1: none, an empty scene)
	kept: number; // splats this delta brings (0: a registered keyframe that adds nothing)
	removed: [number, Uint8Array][]; // earlier keyframes' pixels (uint32 LE) that no longer carry a splat
	evicted: number[]; // keyframes that left the scene whole
	splats?: number;
	keyframes?: number;
	slots?: number;
	full?: boolean; // the first delta of the whole scene: drop what is shown first
	path?: number[]; // with `full`: the camera path so far, 16 numbers per keyframe
}

/**
 * A frame with its planes decoded into one texture's worth of bytes: `layers` layers of H × W
 * RGBA8 texels (row-major), channel c of the frame in component c % 4 of layer c / 4. Channels
 * (see `channel_of`): 0-2 colour, 3 unused, 4-5 depth code high and low byte, then offset u, v,
 * opacity, scale ×3, rotation ×3 (gaussians), then SH channel 3k + rgb (sh_degree ≥ 1). Four
 * bytes a texel because Chromium uploads RGBA textures 10× faster than one- or two-channel ones
 * (measured under SwiftShader: 504×378×9 bytes as R8UI 1.7-2.1 ms, 504×378×12 as RGBA8UI 0.1-0.2 ms).
 */
export interface DecodedFrame {
	header: Omit<WireFrame, "planes">;
	planes: Uint8Array; // layers × H × W × 4
	layers: number;
	valid: number; // pixels with a splat (depth code ≠ 0)
}

const GAUSSIAN_PLANES = ["offset", "opacity", "scale", "rotation"] as const;
// [codec(s), channels, bits] of each plane (the spec's plane table).
const PLANE_SPECS: Record<string, [Codec[], number, 8 | 16]> = {
	depth: [["delta2d"], 1, 16],
	color: [["jpeg", "delta2d"], 3, 8],
	offset: [["delta2d"], 2, 8],
	opacity: [["delta2d"], 1, 8],
	scale: [["delta2d"], 3, 8],
	rotation: [["delta2d"], 3, 8]
};
const sh_channels = (degree: number) => 3 * (degree === 1 ? 3 : 8);

/** The planes after depth and colour that a frame must carry, in channel order. */
export function attr_planes(mode: Mode, sh_degree: number): string[] {
	return [...(mode === "gaussians" ? GAUSSIAN_PLANES : []), ...(sh_degree ? ["sh"] : [])];
}

/** The first channel of each plane in `DecodedFrame.planes`, and the number of layers. */
export function channel_of(mode: Mode, sh_degree: number): { channels: Record<string, number>; layers: number } {
	const channels: Record<string, number> = { color: 0, depth: 4 };
	let next = 6;
	for (const name of attr_planes(mode, sh_degree)) {
		channels[name] = next;
		next += name === "sh" ? sh_channels(sh_degree) : PLANE_SPECS[name][1];
	}
	return { channels, layers: Math.ceil(next / 4) };
}

const fail = (message: string): never => {
	throw new Error(`wire frame: ${message}`);
};
const is_number = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const is_map = (v: unknown): v is Record<string, unknown> =>
	typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

function number_pair(value: unknown, key: string): [number, number] {
	if (!Array.isArray(value) || value.length !== 2 || !value.every(is_number)) {
		fail(`'${key}' must be two finite numbers`);
	}
	return value as [number, number];
}

function check_camera(c: unknown): Intrinsics {
	if (!is_map(c)) return fail("'camera' must be a map");
	const { width, height, fx, fy, cx, cy } = c;
	const side = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_SIDE;
	if (!side(width) || !side(height) || (width as number) * (height as number) > MAX_PIXELS) {
		fail(
			`camera grid ${String(width)}×${String(height)} is outside 1..${MAX_SIDE} a side, ` +
				`${MAX_PIXELS} pixels`
		);
	}
	if (!is_number(fx) || !is_number(fy) || fx <= 0 || fy <= 0 || !is_number(cx) || !is_number(cy)) {
		fail("camera intrinsics must be finite, with fx, fy > 0");
	}
	return { width, height, fx, fy, cx, cy } as Intrinsics;
}

function check_plane(planes: Record<string, unknown>, name: string, sh_degree: number): Plane {
	const p = planes[name];
	if (!is_map(p)) return fail(`plane '${name}' is missing`);
	const [codecs, channels, bits] = name === "sh" ? [["delta2d"], sh_channels(sh_degree), 8] : PLANE_SPECS[name];
	if (!codecs.includes(p.codec as Codec)) fail(`plane '${name}' cannot use codec ${JSON.stringify(p.codec)}`);
	if (p.channels !== channels || p.bits !== bits) {
		fail(`plane '${name}' must be ${channels} channels of ${bits} bits`);
	}
	if (p.codec === "jpeg") {
		if (!(p.data instanceof Uint8Array)) fail(`plane '${name}' has no binary 'data'`);
	} else {
		const streams = (channels * bits) / 8;
		const data = p.data;
		if (!Array.isArray(data) || data.length !== streams || !data.every((d) => d instanceof Uint8Array)) {
			fail(`plane '${name}' must have ${streams} zlib streams, one per byte plane`);
		}
	}
	return p as unknown as Plane;
}

function check_quant(q: unknown, mode: Mode, sh_degree: number): Quant {
	const quant: Quant = { offset_range: 0, log_scale_range: [0, 0], sh_max: [0, 0] };
	if (mode === "gaussians" || sh_degree) {
		if (!is_map(q)) return fail("'quant' must be a map");
		if (mode === "gaussians") {
			if (!is_number(q.offset_range) || q.offset_range < 0) fail("'quant.offset_range' must be ≥ 0");
			quant.offset_range = q.offset_range as number;
			quant.log_scale_range = number_pair(q.log_scale_range, "quant.log_scale_range");
			if (quant.log_scale_range[0] > quant.log_scale_range[1]) fail("'quant.log_scale_range' is not [lo, hi]");
		}
		if (sh_degree) {
			quant.sh_max = number_pair(q.sh_max, "quant.sh_max");
			if (quant.sh_max.some((m) => m < 0)) fail("'quant.sh_max' must be ≥ 0");
		}
	}
	return quant;
}

function check_pose(pose: unknown): number[] {
	if (!Array.isArray(pose) || pose.length !== 16 || !pose.every(is_number)) fail("'pose' must be 16 finite numbers");
	return pose as number[];
}

function check_scan(scan: unknown): ScanDelta {
	if (!is_map(scan)) return fail("'scan' must be a map");
	const { scene, keyframe, kept, removed, evicted, path } = scan;
	if (!Number.isInteger(scene) || !Number.isInteger(keyframe) || !Number.isInteger(kept)) {
		fail("'scan' needs integer 'scene', 'keyframe' and 'kept'");
	}
	const pairs = Array.isArray(removed) && removed.every((r) => Array.isArray(r) && Number.isInteger(r[0]) && r[1] instanceof Uint8Array);
	if (!pairs || !Array.isArray(evicted) || !evicted.every(Number.isInteger)) {
		fail("'scan.removed' must be [keyframe, bytes] pairs and 'scan.evicted' keyframe ids");
	}
	if (path !== undefined && (!Array.isArray(path) || path.length % 16 !== 0 || !path.every(is_number))) {
		fail("'scan.path' must be 16 numbers per keyframe");
	}
	return scan as unknown as ScanDelta;
}

/** Decodes and checks a frame's envelope without touching its planes' bytes (views into `bytes`). */
export function parse_frame(bytes: Uint8Array): WireFrame {
	let f: unknown;
	try {
		f = decode(bytes);
	} catch (e) {
		fail(`not msgpack (${(e as Error).message})`);
	}
	if (!is_map(f) || f.format !== WIRE_FORMAT) throw new Error(`not a ${WIRE_FORMAT} frame`);
	if (f.version !== WIRE_VERSION) {
		throw new Error(
			f.version === 1
				? `wire version 1 is no longer supported: this viewer reads version ${WIRE_VERSION}`
				: `unknown wire version ${JSON.stringify(f.version)}: this viewer reads version ${WIRE_VERSION}`
		);
	}
	if (f.mode !== "points" && f.mode !== "gaussians") fail(`unknown mode ${JSON.stringify(f.mode)}`);
	const mode = f.mode as Mode;
	const camera = check_camera(f.camera);
	const sh_degree = (f.sh_degree ?? 0) as 0 | 1 | 2;
	if (![0, 1, 2].includes(sh_degree)) fail("'sh_degree' must be 0, 1 or 2");
	const depth_range = number_pair(f.depth_range, "depth_range");
	if (!(depth_range[0] > 0 && depth_range[0] <= depth_range[1])) fail("'depth_range' must be 0 < near ≤ far");
	if (!is_number(f.target_depth) || f.target_depth <= 0) fail("'target_depth' must be a positive number");
	if (!is_map(f.planes)) fail("'planes' must be a map");
	const planes: Record<string, Plane> = {};
	for (const name of ["depth", "color", ...attr_planes(mode, sh_degree)]) {
		planes[name] = check_plane(f.planes as Record<string, unknown>, name, sh_degree);
	}
	const frame_id = f.frame_id ?? 0;
	if (!Number.isInteger(frame_id)) fail("'frame_id' must be an integer");
	return {
		frame_id: frame_id as number,
		mode,
		camera,
		depth_range,
		planes,
		sh_degree,
		quant: check_quant(f.quant, mode, sh_degree),
		target_depth: f.target_depth as number,
		timings_ms: is_map(f.timings_ms) ? (f.timings_ms as Record<string, number>) : {},
		server_time: is_number(f.server_time) ? f.server_time : NaN,
		...(f.pose === undefined ? {} : { pose: check_pose(f.pose) }),
		...(f.scan === undefined ? {} : { scan: check_scan(f.scan) })
	};
}

/**
 * Inflates a zlib stream into `out`, which it must fill exactly: a stream that is longer (stopped
 * at the cap, so a zip bomb costs nothing), shorter, corrupt or cut short is an error, and so is
 * one followed by more bytes, which browsers' DecompressionStream refuses (the Compression Streams
 * standard; Node 20's does not, so only the browser test checks that case).
 */
export async function inflate_exact(data: Uint8Array, out: Uint8Array, name: string): Promise<void> {
	const input = new ReadableStream<Uint8Array<ArrayBuffer>>({
		start(controller) {
			controller.enqueue(data as Uint8Array<ArrayBuffer>);
			controller.close();
		}
	});
	const reader = input.pipeThrough(new DecompressionStream("deflate")).getReader();
	let n = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			if (n + value.byteLength > out.byteLength) {
				void reader.cancel().catch(() => {});
				fail(`plane '${name}' inflates to more than ${out.byteLength} bytes`);
			}
			out.set(value, n);
			n += value.byteLength;
		}
	} catch (e) {
		if ((e as Error).message.startsWith("wire frame:")) throw e;
		fail(`plane '${name}' is not a valid zlib stream (${(e as Error).message})`);
	}
	if (n !== out.byteLength) fail(`plane '${name}' inflates to ${n} bytes, not ${out.byteLength}`);
}

/**
 * Undoes the delta2d predictor of one channel in place: running sums along each row, then down
 * each column, mod 2^bits (the typed array's own wrap-around does the modulo). Done in one pass:
 * x[i][j] = (r[i][0] + … + r[i][j]) + x[i−1][j].
 */
export function undo_delta2d(x: Uint8Array | Uint16Array, width: number, height: number): void {
	const mask = x instanceof Uint8Array ? 0xff : 0xffff;
	for (let i = 0, k = 0; i < height; i++) {
		let row = 0;
		if (i === 0) {
			for (let j = 0; j < width; j++, k++) x[k] = row = (row + x[k]) & mask;
		} else {
			for (let j = 0; j < width; j++, k++) {
				row = (row + x[k]) & mask;
				x[k] = row + x[k - width];
			}
		}
	}
}

/** A delta2d plane's values, channel after channel (C·H·W values of its bit width). */
async function decode_delta2d(plane: Plane, name: string, camera: Intrinsics): Promise<Uint8Array | Uint16Array> {
	const n = camera.width * camera.height;
	const streams = plane.data as Uint8Array[];
	const raw = new Uint8Array(streams.length * n);
	// One stream per byte plane, inflated side by side.
	await Promise.all(streams.map((s, b) => inflate_exact(s, raw.subarray(b * n, (b + 1) * n), name)));
	let values: Uint8Array | Uint16Array = raw;
	if (plane.bits === 16) {
		// A 16-bit channel is its high-byte plane, then its low-byte plane.
		values = new Uint16Array(plane.channels * n);
		for (let c = 0; c < plane.channels; c++) {
			const hi = 2 * c * n;
			for (let k = 0; k < n; k++) values[c * n + k] = (raw[hi + k] << 8) | raw[hi + n + k];
		}
	}
	for (let c = 0; c < plane.channels; c++) {
		undo_delta2d(values.subarray(c * n, (c + 1) * n), camera.width, camera.height);
	}
	return values;
}

/** Writes planar 8-bit channels (`count` × `n` values) into `out` from channel `first` on. */
function interleave(values: Uint8Array, count: number, n: number, out: Uint8Array, first: number): void {
	for (let c = 0; c < count; c++) {
		const channel = first + c;
		const base = (channel >> 2) * 4 * n + (channel & 3);
		const src = values.subarray(c * n, (c + 1) * n);
		for (let k = 0; k < n; k++) out[base + 4 * k] = src[k];
	}
}

/**
 * A JPEG's width and height from its frame header (SOFn), or null if there is none: read before
 * decoding, so a JPEG that claims a huge picture is refused before the decoder allocates it.
 */
export function jpeg_size(data: Uint8Array): [number, number] | null {
	if (data[0] !== 0xff || data[1] !== 0xd8) return null;
	for (let i = 2; i + 9 <= data.length; ) {
		if (data[i] !== 0xff) return null;
		const marker = data[i + 1];
		if (marker === 0xff) {
			i += 1; // fill byte
			continue;
		}
		// SOF0-15 except DHT (C4), JPG (C8) and DAC (CC) carry the size.
		if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
			return [(data[i + 7] << 8) | data[i + 8], (data[i + 5] << 8) | data[i + 6]];
		}
		i += 2 + ((data[i + 2] << 8) | data[i + 3]);
	}
	return null;
}

/** Colour into layer 0 (alpha 255). */
async function decode_color(plane: Plane, camera: Intrinsics, out: Uint8Array): Promise<void> {
	const n = camera.width * camera.height;
	if (plane.codec === "delta2d") {
		interleave((await decode_delta2d(plane, "color", camera)) as Uint8Array, 3, n, out, 0);
		for (let k = 0; k < n; k++) out[4 * k + 3] = 255;
		return;
	}
	const data = plane.data as Uint8Array;
	const size = jpeg_size(data);
	if (!size) fail("plane 'color' is not a JPEG (no frame header)");
	if (size![0] !== camera.width || size![1] !== camera.height) {
		fail(`plane 'color' is ${size![0]}×${size![1]}, not ${camera.width}×${camera.height}`);
	}
	let bitmap: ImageBitmap;
	try {
		bitmap = await createImageBitmap(new Blob([data as Uint8Array<ArrayBuffer>], { type: "image/jpeg" }), {
			premultiplyAlpha: "none",
			colorSpaceConversion: "none"
		});
	} catch (e) {
		return fail(`plane 'color' is not a JPEG (${(e as Error).message})`);
	}
	// The browser's decoder, read back here in the worker, so the page uploads plain bytes
	// (cheaper than uploading the bitmap, see DecodedFrame). A CPU-backed canvas ("will read
	// frequently"), opaque pixels and no colour conversion: getImageData returns the decoded values.
	const canvas = new OffscreenCanvas(camera.width, camera.height);
	const context = canvas.getContext("2d", { willReadFrequently: true })!;
	context.drawImage(bitmap, 0, 0);
	bitmap.close();
	out.set(context.getImageData(0, 0, camera.width, camera.height).data);
}

/** Decodes every plane of a parsed frame. */
export async function decode_planes(frame: WireFrame): Promise<DecodedFrame> {
	const { planes, camera, mode, sh_degree } = frame;
	const n = camera.width * camera.height;
	const { channels, layers } = channel_of(mode, sh_degree);
	const out = new Uint8Array(layers * n * 4);
	const color = decode_color(planes.color, camera, out);
	const depth = decode_delta2d(planes.depth, "depth", camera);
	const attrs = attr_planes(mode, sh_degree).map(async (name) => {
		interleave((await decode_delta2d(planes[name], name, camera)) as Uint8Array, planes[name].channels, n, out, channels[name]);
	});
	await Promise.all([color, depth, ...attrs]);
	const codes = (await depth) as Uint16Array;
	let valid = 0;
	for (let k = 0, hi = 4 * n; k < n; k++) {
		const code = codes[k];
		out[hi + 4 * k] = code >> 8; // channels 4 and 5: layer 1, components 0 and 1
		out[hi + 4 * k + 1] = code & 0xff;
		valid += code !== 0 ? 1 : 0;
	}
	const { planes: _, ...header } = frame;
	return { header, planes: out, layers, valid };
}

/** Parses and decodes a frame: what the decode worker runs. */
export async function decode_frame(bytes: Uint8Array): Promise<DecodedFrame> {
	return decode_planes(parse_frame(bytes));
}
