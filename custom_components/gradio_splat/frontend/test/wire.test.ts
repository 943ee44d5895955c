import { describe, expect, test } from "vitest";
import { decode_frame } from "../shared/wire";
import { frame_bytes, splat_bytes } from "./frames";

describe("decode_frame", () => {
	test("reads every envelope field", () => {
		const f = decode_frame(frame_bytes(3));
		expect(f.frame_id).toBe(7);
		expect(f.mode).toBe("gaussians");
		expect(f.num_splats).toBe(3);
		expect(f.packed).toEqual(splat_bytes(3));
		expect(f.sh_degree).toBe(0);
		expect(f.sh1).toBeUndefined();
		expect(f.camera).toEqual({ width: 160, height: 120, fx: 100, fy: 100, cx: 80, cy: 60 });
		expect(f.target_depth).toBe(2.5);
		expect(f.timings_ms).toEqual({ infer: 12.5 });
		expect(f.server_time).toBe(1_700_000_000.25);
	});

	test("returns the splats as a view into the fetched bytes, at any alignment", () => {
		const frame = frame_bytes(5);
		for (const shift of [0, 1, 2, 3]) {
			const bytes = new Uint8Array(frame.length + shift);
			bytes.set(frame, shift);
			const f = decode_frame(bytes.subarray(shift));
			expect(f.packed.buffer).toBe(bytes.buffer); // a view, not a copy
			expect(f.packed).toEqual(splat_bytes(5));
		}
	});

	test("reads SH degree 2 with its range", () => {
		const f = decode_frame(
			frame_bytes(2, {
				sh_degree: 2,
				sh1: splat_bytes(2, 8),
				sh2: splat_bytes(2, 16, 9),
				sh_max: [0.5, 0.25]
			})
		);
		expect(f.sh_degree).toBe(2);
		expect(f.sh1).toEqual(splat_bytes(2, 8));
		expect(f.sh2).toEqual(splat_bytes(2, 16, 9));
		expect(f.sh_max).toEqual([0.5, 0.25]);
	});

	test("ignores keys it does not know", () => {
		expect(decode_frame(frame_bytes(1, { future_key: [1, 2] })).num_splats).toBe(1);
	});

	test.each([
		[{ format: "other" }, /not a gradio-splat frame/],
		[{ version: 2 }, /version 2/],
		[{ num_splats: 4 }, /'packed' must be 64 bytes/],
		[{ num_splats: -1 }, /num_splats/],
		[{ sh_degree: 1 }, /'sh1' must be 24 bytes/],
		[{ sh_degree: 3 }, /sh_degree/]
	])("rejects %o", (override, message) => {
		expect(() => decode_frame(frame_bytes(3, override))).toThrow(message);
	});
});
