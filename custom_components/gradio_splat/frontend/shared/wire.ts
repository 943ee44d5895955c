// Decodes one wire frame: the TypeScript twin of splat_core/wire.py. The format is specified in
// docs/wire-format.md; keep the two in step.
import { decode } from "@msgpack/msgpack";

export const WIRE_FORMAT = "gradio-splat";
export const WIRE_VERSION = 1;

export interface Intrinsics {
	width: number;
	height: number;
	fx: number;
	fy: number;
	cx: number;
	cy: number;
}

export interface WireFrame {
	frame_id: number;
	mode: "points" | "gaussians";
	num_splats: number;
	packed: Uint8Array; // num_splats × 16 bytes; a view into the fetched buffer, not 4-byte aligned
	sh_degree: 0 | 1 | 2;
	sh1?: Uint8Array; // num_splats × 8 bytes
	sh2?: Uint8Array; // num_splats × 16 bytes
	sh_max: [number, number]; // [sh1Max, sh2Max]
	camera: Intrinsics;
	target_depth: number;
	timings_ms: Record<string, number>;
	server_time: number; // Unix seconds
}

function check_bin(value: unknown, bytes: number, key: string): Uint8Array {
	if (!(value instanceof Uint8Array) || value.byteLength !== bytes) {
		throw new Error(`wire frame: '${key}' must be ${bytes} bytes`);
	}
	return value;
}

/** Decodes a frame without copying its splats: the bin fields are views into `bytes`. */
export function decode_frame(bytes: Uint8Array): WireFrame {
	const f = decode(bytes) as Record<string, any>;
	if (f?.format !== WIRE_FORMAT) throw new Error(`not a ${WIRE_FORMAT} frame`);
	if (f.version !== WIRE_VERSION) {
		throw new Error(`wire version ${f.version} is not ${WIRE_VERSION}`);
	}
	const n = f.num_splats;
	if (!Number.isInteger(n) || n < 0) throw new Error("wire frame: bad 'num_splats'");
	const sh_degree = f.sh_degree ?? 0;
	if (![0, 1, 2].includes(sh_degree)) throw new Error("wire frame: bad 'sh_degree'");
	return {
		frame_id: f.frame_id ?? 0,
		mode: f.mode === "points" ? "points" : "gaussians",
		num_splats: n,
		packed: check_bin(f.packed, n * 16, "packed"),
		sh_degree,
		sh1: sh_degree >= 1 ? check_bin(f.sh1, n * 8, "sh1") : undefined,
		sh2: sh_degree >= 2 ? check_bin(f.sh2, n * 16, "sh2") : undefined,
		sh_max: [f.sh_max?.[0] ?? 1, f.sh_max?.[1] ?? 1],
		camera: f.camera,
		target_depth: f.target_depth,
		timings_ms: f.timings_ms ?? {},
		server_time: f.server_time
	};
}
