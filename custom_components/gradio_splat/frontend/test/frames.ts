// Byte fixtures: wire frames built the way splat_core/wire.py builds them (docs/wire-format.md).
import { encode } from "@msgpack/msgpack";

/** `n` splats whose byte i of splat s is (s * 16 + i + seed) & 255, so every copy is checkable. */
export function splat_bytes(n: number, bytes_per_splat = 16, seed = 1): Uint8Array {
	const out = new Uint8Array(n * bytes_per_splat);
	for (let i = 0; i < out.length; i++) out[i] = (i + seed) & 255;
	return out;
}

export function frame_bytes(n: number, extra: Record<string, unknown> = {}): Uint8Array {
	return encode({
		format: "gradio-splat",
		version: 1,
		frame_id: 7,
		mode: "gaussians",
		num_splats: n,
		packed: splat_bytes(n),
		sh_degree: 0,
		camera: { width: 160, height: 120, fx: 100, fy: 100, cx: 80, cy: 60 },
		target_depth: 2.5,
		timings_ms: { infer: 12.5 },
		server_time: 1_700_000_000.25,
		...extra
	});
}
