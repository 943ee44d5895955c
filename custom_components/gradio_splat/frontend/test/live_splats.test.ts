import { describe, expect, test, vi } from "vitest";
import * as THREE from "three";
import { LiveSplats } from "../shared/live_splats";
import { decode_frame } from "../shared/wire";
import { fixture_bytes, type Fixture } from "./fixtures";

const frame = (name: Fixture) => decode_frame(fixture_bytes(name));

function setup() {
	const parent = new THREE.Group();
	const renderer = { initTexture: vi.fn() } as unknown as THREE.WebGLRenderer;
	return { parent, renderer, live: new LiveSplats(parent) };
}

/** Runs the generator's per-frame update as SparkRenderer does, with the camera at `camera`. */
function frame_update(live: LiveSplats, camera: THREE.Vector3) {
	const viewToWorld = new THREE.Matrix4().makeTranslation(camera);
	live.object!.frameUpdate!({ viewToWorld } as any);
}

describe("LiveSplats", () => {
	test("makes one generator, flipped from OpenCV axes, with a splat per pixel", async () => {
		const { parent, live } = setup();
		const f = await frame("points_lossless");
		expect(live.apply(f)).toBe(true);
		const object = live.object!;
		expect(parent.children).toEqual([object]);
		expect(object.quaternion.toArray()).toEqual([1, 0, 0, 0]);
		expect(object.numSplats).toBe(13 * 7);
		expect(object.generator).toBeDefined();
		const texture = live.texture!;
		expect([texture.image.width, texture.image.height, texture.image.depth]).toEqual([13, 7, f.layers]);
		expect([texture.format, texture.internalFormat, texture.type]).toEqual([
			THREE.RGBAIntegerFormat,
			"RGBA8UI",
			THREE.UnsignedByteType
		]);
		expect(texture.image.data).toBe(f.planes); // the worker's buffer, not a copy
	});

	test("updates the texture in place and bumps the version on every frame", async () => {
		const { live } = setup();
		live.apply(await frame("gaussians_sh2_lossless"));
		const { object, texture } = live;
		const [version, texture_version] = [object!.version, texture!.version];
		const next = await frame("gaussians_sh2_lossless");
		expect(live.apply(next)).toBe(false);
		expect(live.object).toBe(object);
		expect(live.texture).toBe(texture);
		expect(texture!.image.data).toBe(next.planes);
		expect(texture!.version).toBeGreaterThan(texture_version); // needsUpdate
		expect(object!.version).toBeGreaterThan(version);
	});

	test("uploads only the latest frame, once, when asked", async () => {
		const { live, renderer } = setup();
		live.apply(await frame("points_lossless"));
		live.apply(await frame("points_lossless"));
		expect(live.upload_pending).toBe(true);
		live.upload(renderer);
		live.upload(renderer);
		expect(renderer.initTexture).toHaveBeenCalledTimes(1);
		expect(renderer.initTexture).toHaveBeenCalledWith(live.texture);
		expect(live.upload_pending).toBe(false);
	});

	test("makes a new texture when the grid or its layers change, and frees the old one", async () => {
		const { live } = setup();
		live.apply(await frame("points_lossless"));
		const freed = vi.fn();
		live.texture!.addEventListener("dispose", freed);
		expect(live.apply(await frame("gaussians_sh1_lossless"))).toBe(true); // 13×7, 2 layers → 11×5, 5
		expect(freed).toHaveBeenCalled();
		expect(live.object!.numSplats).toBe(11 * 5);
		const sh1 = live.texture!;
		expect(live.apply(await frame("gaussians_sh2_lossless"))).toBe(true); // 5 layers → 10
		expect(live.texture).not.toBe(sh1);
		expect(live.texture!.image.depth).toBe(10);
	});

	test("keeps one compiled program per mode and SH degree", async () => {
		const { live } = setup();
		live.apply(await frame("points_lossless"));
		const points = live.object!.generator;
		live.apply(await frame("gaussians_sh1_lossless"));
		const sh1 = live.object!.generator;
		live.apply(await frame("gaussians_sh2_lossless"));
		expect(new Set([points, sh1, live.object!.generator]).size).toBe(3);
		live.apply(await frame("points_lossless"));
		expect(live.object!.generator).toBe(points);
	});

	test("regenerates when the object moves, and for SH when the camera moves", async () => {
		const { live } = setup();
		live.apply(await frame("points_lossless"));
		const object = live.object!;
		frame_update(live, new THREE.Vector3(0, 0, 0)); // the transform's first values
		let version = object.version;
		frame_update(live, new THREE.Vector3(1, 2, 3));
		expect(object.version).toBe(version); // no SH: the camera does not matter
		object.position.set(0, 1, 0);
		frame_update(live, new THREE.Vector3(1, 2, 3));
		expect(object.version).toBeGreaterThan(version);

		live.apply(await frame("gaussians_sh1_lossless"));
		frame_update(live, new THREE.Vector3(1, 2, 3));
		version = object.version;
		frame_update(live, new THREE.Vector3(1, 2, 3));
		expect(object.version).toBe(version);
		frame_update(live, new THREE.Vector3(-1, 2, 3));
		expect(object.version).toBeGreaterThan(version);
	});

	test("dispose removes the generator and frees the texture; a new stream starts afresh", async () => {
		const { parent, live } = setup();
		live.apply(await frame("points_lossless"));
		const freed = vi.fn();
		live.texture!.addEventListener("dispose", freed);
		live.dispose();
		expect(parent.children).toEqual([]);
		expect(freed).toHaveBeenCalled();
		expect([live.object, live.texture, live.upload_pending]).toEqual([null, null, false]);
		expect(live.apply(await frame("points_lossless"))).toBe(true);
		expect(parent.children).toEqual([live.object]);
	});
});
