import { describe, expect, test } from "vitest";
import { Group } from "three";
import { LiveSplats, SPLAT_TEX_WIDTH, capacity_for, copy_into } from "../shared/live_splats";
import { decode_frame } from "../shared/wire";
import { frame_bytes, splat_bytes } from "./frames";

const frame = (n: number, extra: Record<string, unknown> = {}) =>
	decode_frame(frame_bytes(n, extra));
const bytes_of = (words: Uint32Array) => new Uint8Array(words.buffer, words.byteOffset, words.byteLength);

describe("capacity_for", () => {
	test("pads to a multiple of 2048", () => {
		expect(capacity_for(1, 0)).toBe(2048);
		expect(capacity_for(2048, 0)).toBe(2048);
		expect(capacity_for(190_512, 0)).toBe(190_464 + 2048);
	});
	test("keeps the capacity while frames fit", () => {
		expect(capacity_for(10, 4096)).toBe(4096);
		expect(capacity_for(4096, 4096)).toBe(4096);
	});
	test("grows by at least half when a frame does not fit", () => {
		expect(capacity_for(4097, 4096)).toBe(6144);
		expect(capacity_for(20_000, 4096)).toBe(20_480);
	});
});

describe("copy_into", () => {
	test("copies an unaligned payload and zeroes what the previous one left", () => {
		const dst = new Uint32Array(16);
		const unaligned = new Uint8Array(65).subarray(1);
		unaligned.set(splat_bytes(4));
		copy_into(dst, unaligned, 0);
		expect(bytes_of(dst)).toEqual(splat_bytes(4));
		copy_into(dst, splat_bytes(1, 16, 5), 64);
		expect(bytes_of(dst).subarray(0, 16)).toEqual(splat_bytes(1, 16, 5));
		expect(bytes_of(dst).subarray(16).every((b) => b === 0)).toBe(true);
	});
});

describe("LiveSplats", () => {
	function setup() {
		const parent = new Group();
		return { parent, live: new LiveSplats(parent) };
	}

	test("builds one mesh, flipped from OpenCV axes, and keeps its PackedSplats", () => {
		const { parent, live } = setup();
		expect(live.apply(frame(100))).toBe(true);
		const mesh = live.mesh!;
		const packed = mesh.packedSplats!;
		const array = packed.packedArray!;
		expect(parent.children).toEqual([mesh]);
		expect(mesh.quaternion.toArray()).toEqual([1, 0, 0, 0]);
		expect(packed.maxSplats).toBe(SPLAT_TEX_WIDTH);
		expect(bytes_of(array).subarray(0, 1600)).toEqual(splat_bytes(100));

		expect(live.apply(frame(200))).toBe(false);
		expect(live.mesh).toBe(mesh);
		expect(mesh.packedSplats).toBe(packed);
		expect(packed.packedArray).toBe(array); // in place: Spark breaks on a swapped array
		expect(bytes_of(array).subarray(0, 3200)).toEqual(splat_bytes(200));
	});

	test("keeps numSplats at the capacity, so a new frame does not wait for a sort", () => {
		const { live } = setup();
		live.apply(frame(100));
		live.apply(frame(300));
		expect(live.mesh!.packedSplats!.numSplats).toBe(SPLAT_TEX_WIDTH);
	});

	test("flags the upload and the regeneration on every frame", () => {
		const { live } = setup();
		live.apply(frame(10));
		const mesh = live.mesh!;
		const packed = mesh.packedSplats!;
		packed.needsUpdate = false;
		const version = mesh.version;
		live.apply(frame(10));
		expect(packed.needsUpdate).toBe(true);
		expect(mesh.version).toBeGreaterThan(version);
	});

	test("zeroes the splats a shorter frame no longer covers", () => {
		const { live } = setup();
		live.apply(frame(300));
		live.apply(frame(100));
		const bytes = bytes_of(live.mesh!.packedSplats!.packedArray!);
		expect(bytes.subarray(0, 1600)).toEqual(splat_bytes(100));
		expect(bytes.subarray(1600).every((b) => b === 0)).toBe(true);
	});

	test("grows into a larger PackedSplats only when a frame does not fit", () => {
		const { parent, live } = setup();
		live.apply(frame(2048));
		const old = live.mesh!;
		expect(live.apply(frame(2049))).toBe(true);
		expect(live.mesh).not.toBe(old);
		expect(old.packedSplats).toBeUndefined(); // disposed
		expect(live.mesh!.packedSplats!.maxSplats).toBe(4096);
		expect(parent.children).toEqual([live.mesh]);
		expect(bytes_of(live.mesh!.packedSplats!.packedArray!).subarray(0, 2049 * 16)).toEqual(
			splat_bytes(2049)
		);
	});

	test("passes SH as Spark extras with the frame's range, and rebuilds when SH appears", () => {
		const { live } = setup();
		live.apply(frame(50));
		const sh = {
			sh_degree: 2,
			sh1: splat_bytes(50, 8, 3),
			sh2: splat_bytes(50, 16, 4),
			sh_max: [0.75, 0.5]
		};
		expect(live.apply(frame(50, sh))).toBe(true);
		const packed = live.mesh!.packedSplats!;
		expect(packed.getNumSh()).toBe(2);
		const extra = packed.extra as Record<string, Uint32Array>;
		expect(extra.sh1.length).toBe(2048 * 2);
		expect(extra.sh2.length).toBe(2048 * 4);
		expect(bytes_of(extra.sh1).subarray(0, 400)).toEqual(splat_bytes(50, 8, 3));
		expect(bytes_of(extra.sh2).subarray(0, 800)).toEqual(splat_bytes(50, 16, 4));
		expect(packed.splatEncoding).toMatchObject({ sh1Max: 0.75, sh2Max: 0.5 });

		// Spark caches the SH textures once built: a new frame must flag their re-upload.
		const texture = { needsUpdate: false };
		packed.extra.sh1Texture = { value: texture };
		expect(live.apply(frame(50, { ...sh, sh_max: [0.25, 0.5] }))).toBe(false);
		expect(texture.needsUpdate).toBe(true);
		expect(packed.splatEncoding).toMatchObject({ sh1Max: 0.25 });

		expect(live.apply(frame(50))).toBe(true); // SH gone: the shader must drop it
		expect(live.mesh!.packedSplats!.getNumSh()).toBe(0);
	});

	test("dispose removes and frees the mesh", () => {
		const { parent, live } = setup();
		live.apply(frame(10));
		const mesh = live.mesh!;
		live.dispose();
		expect(parent.children).toEqual([]);
		expect(mesh.packedSplats).toBeUndefined();
		expect(live.mesh).toBeNull();
	});

	test("starts afresh after dispose (a cleared value, then a new stream)", () => {
		const { parent, live } = setup();
		live.apply(frame(10));
		live.dispose();
		expect(live.apply(frame(20))).toBe(true);
		expect(parent.children).toEqual([live.mesh]);
		expect(bytes_of(live.mesh!.packedSplats!.packedArray!).subarray(0, 320)).toEqual(splat_bytes(20));
	});
});
