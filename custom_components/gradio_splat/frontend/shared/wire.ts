// Reads one wire frame, version 2 (docs/wire-format.md, the contract; splat_core/wire.py writes
// it). `parse_frame` checks the msgpack envelope, `decode_planes` turns the compressed planes into
// the arrays that live_splats.ts uploads as textures. The decode worker (decode_worker.ts) runs
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
	data: Uint8Array;
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
}

/**
 * A frame with its planes decoded, ready to upload. `attrs` holds the 8-bit planes after depth and
 * colour, channel after channel, each H × W (row-major): offset u, v, opacity, scale ×3, rotation ×3
 * (gaussians), then the SH channels 3k + rgb (sh_degree ≥ 1). See `attr_layers`.
 */
export interface DecodedFrame {
	header: Omit<WireFrame, "planes">;
	depth: Uint16Array; // H × W depth codes
	color: ImageBitmap | Uint8Array; // JPEG as decoded by the browser, or lossless RGBA, H × W × 4
	attrs: Uint8Array | null; // null when the mode and SH degree need no attribute planes
	valid: number; // pixels with a splat (depth code ≠ 0)
	bytes: number; // the frame's size on the wire
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

/** The planes a frame must carry, in the order their channels go into `DecodedFrame.attrs`. */
export function attr_planes(mode: Mode, sh_degree: number): string[] {
	return [...(mode === "gaussians" ? GAUSSIAN_PLANES : []), ...(sh_degree ? ["sh"] : [])];
}

/** Channels (texture layers) of `DecodedFrame.attrs` for a mode and SH degree. */
export function attr_layers(mode: Mode, sh_degree: number): number {
	return (mode === "gaussians" ? 9 : 0) + (sh_degree ? sh_channels(sh_degree) : 0);
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
	if (!(p.data instanceof Uint8Array)) fail(`plane '${name}' has no binary 'data'`);
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
		server_time: is_number(f.server_time) ? f.server_time : NaN
	};
}

/**
 * Inflates a zlib stream into `out`, which it must fill exactly: a stream that is longer (stopped
 * at the cap, so a zip bomb costs nothing), shorter, corrupt or cut short is an error.
 */
export async function inflate_exact(data: Uint8Array, out: Uint8Array, name: string): Promise<void> {
	const reader = new Blob([data as Uint8Array<ArrayBuffer>])
		.stream()
		.pipeThrough(new DecompressionStream("deflate"))
		.getReader();
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

/** A delta2d plane's values, channel after channel, into `out` (C·H·W values of its bit width). */
async function decode_delta2d(
	plane: Plane,
	name: string,
	camera: Intrinsics,
	out: Uint8Array | Uint16Array
): Promise<void> {
	const n = camera.width * camera.height;
	if (plane.bits === 8) {
		await inflate_exact(plane.data, out as Uint8Array, name);
	} else {
		// 16-bit channels come as a high-byte plane, then a low-byte plane.
		const raw = new Uint8Array(2 * n * plane.channels);
		await inflate_exact(plane.data, raw, name);
		for (let c = 0; c < plane.channels; c++) {
			const hi = 2 * c * n;
			for (let k = 0; k < n; k++) out[c * n + k] = (raw[hi + k] << 8) | raw[hi + n + k];
		}
	}
	for (let c = 0; c < plane.channels; c++) {
		undo_delta2d(out.subarray(c * n, (c + 1) * n), camera.width, camera.height);
	}
}

async function decode_color(plane: Plane, camera: Intrinsics): Promise<ImageBitmap | Uint8Array> {
	const n = camera.width * camera.height;
	if (plane.codec === "jpeg") {
		let bitmap: ImageBitmap;
		try {
			bitmap = await createImageBitmap(new Blob([plane.data as Uint8Array<ArrayBuffer>], { type: "image/jpeg" }), {
				premultiplyAlpha: "none",
				colorSpaceConversion: "none"
			});
		} catch (e) {
			return fail(`plane 'color' is not a JPEG (${(e as Error).message})`);
		}
		if (bitmap.width !== camera.width || bitmap.height !== camera.height) {
			bitmap.close();
			fail(`plane 'color' is ${bitmap.width}×${bitmap.height}, not ${camera.width}×${camera.height}`);
		}
		return bitmap;
	}
	const planar = new Uint8Array(3 * n);
	await decode_delta2d(plane, "color", camera, planar);
	// Interleaved RGBA, the layout of the JPEG's texture, so both feed one sampler.
	const rgba = new Uint8Array(4 * n);
	for (let k = 0; k < n; k++) {
		rgba[4 * k] = planar[k];
		rgba[4 * k + 1] = planar[n + k];
		rgba[4 * k + 2] = planar[2 * n + k];
		rgba[4 * k + 3] = 255;
	}
	return rgba;
}

/** Decodes every plane of a parsed frame. */
export async function decode_planes(frame: WireFrame, bytes: number): Promise<DecodedFrame> {
	const { planes, camera, mode, sh_degree } = frame;
	const n = camera.width * camera.height;
	const depth = new Uint16Array(n);
	const names = attr_planes(mode, sh_degree);
	const attrs = names.length ? new Uint8Array(attr_layers(mode, sh_degree) * n) : null;
	const jobs: Promise<void>[] = [decode_delta2d(planes.depth, "depth", camera, depth)];
	let layer = 0;
	for (const name of names) {
		jobs.push(decode_delta2d(planes[name], name, camera, attrs!.subarray(layer * n, (layer + planes[name].channels) * n)));
		layer += planes[name].channels;
	}
	const color = decode_color(planes.color, camera);
	const results = await Promise.allSettled([color, ...jobs]);
	const failed = results.find((r) => r.status === "rejected");
	if (failed) {
		const decoded = results[0].status === "fulfilled" ? results[0].value : null;
		if (decoded && "close" in decoded) decoded.close(); // the JPEG decoded, another plane did not
		throw (failed as PromiseRejectedResult).reason;
	}
	let valid = 0;
	for (let k = 0; k < n; k++) valid += depth[k] !== 0 ? 1 : 0;
	const { planes: _, ...header } = frame;
	return { header, depth, color: await color, attrs, valid, bytes };
}

/** Parses and decodes a frame: what the decode worker runs. */
export async function decode_frame(bytes: Uint8Array): Promise<DecodedFrame> {
	return decode_planes(parse_frame(bytes), bytes.byteLength);
}
