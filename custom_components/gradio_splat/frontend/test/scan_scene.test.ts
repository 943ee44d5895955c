import { describe, expect, test, vi } from "vitest";
import * as THREE from "three";
import type { FrameDecoder } from "../shared/decoder";
import { ScanScene, holder_matrix } from "../shared/scan_scene";
import { decode_frame, type ScanDelta } from "../shared/wire";
import { fixture_expected, modified } from "./fixtures";

const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
const VALID = fixture_expected("points_lossless").planes.depth[0].filter((code) => code !== 0).length; // the 13 × 7 fixture's splats

/** The points fixture as a scan delta of keyframe `keyframe` with `scan` keys and a pose. */
function delta(keyframe: number, scan: Partial<ScanDelta> = {}, pose = IDENTITY): Uint8Array {
	return modified("points_lossless", (e) => {
		e.pose = pose;
		e.scan = { scene: 1, keyframe, kept: VALID, removed: [], evicted: [], ...scan };
	});
}

const u32 = (values: number[]) => new Uint8Array(new Uint32Array(values).buffer);

function setup() {
	const decoder = { decode: async (bytes: Uint8Array) => ({ frame: await decode_frame(bytes), decode_ms: 0 }) };
	const applied = vi.fn();
	const errors = vi.fn();
	const scan = new ScanScene(decoder as unknown as FrameDecoder, applied, errors);
	const settle = async () => {
		for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
	};
	return { scan, applied, errors, settle };
}

describe("ScanScene", () => {
	test("keeps every delta, in order, each placed by its pose, and draws the path", async () => {
		const { scan, applied, errors, settle } = setup();
		const moved = [...IDENTITY];
		moved[3] = 2; // two units to the right (OpenCV x)
		scan.push(delta(0));
		scan.push(delta(1, {}, moved));
		await settle();
		expect(errors).not.toHaveBeenCalled();
		expect(applied.mock.calls.map(([s]) => s.keyframe)).toEqual([0, 1]);
		expect([scan.size, scan.splats, scan.path_length]).toEqual([2, 2 * VALID, 2]);
		const holders = scan.group.children.filter((c) => c instanceof THREE.Group);
		expect(holders.map((h) => h.matrix.elements[12])).toEqual([0, 2]);
		const [path, current] = scan.group.children.filter((c) => c instanceof THREE.Line) as THREE.Line[];
		expect([...path.geometry.getAttribute("position").array]).toEqual([0, 0, 0, 2, 0, 0]); // the centres
		expect(current.geometry.getAttribute("position").count).toBe(16); // the current view's frustum
		expect(current.matrix.elements[12]).toBe(2); // at the latest pose
	});

	test("poses are camera → world in OpenCV axes: a point ahead of the camera lands where the pose says", () => {
		// A camera at (1, 2, 3) turned 90° about y: its forward axis (OpenCV +z) is the world's +x.
		const pose = [0, 0, 1, 1, 0, 1, 0, 2, -1, 0, 0, 3, 0, 0, 0, 1];
		const inside = new THREE.Vector3(0, 0, 5).applyMatrix4(new THREE.Matrix4().makeScale(1, -1, -1)); // splat object's turn
		const shown = inside.applyMatrix4(holder_matrix(pose));
		expect(shown.toArray().map((v) => Math.round(v * 1e6) / 1e6)).toEqual([6, -2, -3]); // (6, 2, 3) in three's y-up axes
	});

	test("removals clear splats of earlier keyframes; evictions drop them; a new scene or a full resend starts over", async () => {
		const { scan, settle } = setup();
		scan.push(delta(0));
		scan.push(delta(1, { removed: [[0, u32([0, 1, 2])]] }));
		await settle();
		expect(scan.splats).toBe(2 * VALID - 3);
		scan.push(delta(2, { evicted: [0] }));
		await settle();
		expect([scan.size, scan.splats]).toEqual([2, 2 * VALID]);
		scan.push(delta(3, { full: true, path: [...IDENTITY, ...IDENTITY, ...IDENTITY] }));
		await settle();
		expect([scan.size, scan.path_length]).toEqual([1, 3]);
		scan.push(delta(0, { scene: 2 }));
		await settle();
		expect([scan.size, scan.path_length, scan.scene_id]).toEqual([1, 1, 2]);
		scan.push(delta(1, { scene: 2, kept: 0 })); // registered, nothing new: on the path only
		await settle();
		expect([scan.size, scan.path_length]).toEqual([1, 2]);
	});

	test("a delta without its pose is an error, and later deltas still apply", async () => {
		const { scan, errors, settle } = setup();
		scan.push(modified("points_lossless", (e) => (e.scan = { scene: 1, keyframe: 0, kept: 1, removed: [], evicted: [] })));
		scan.push(delta(1));
		await settle();
		expect(errors).toHaveBeenCalledTimes(1);
		expect(scan.size).toBe(1);
	});
});
