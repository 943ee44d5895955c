// Scan mode's scene in the viewer: every keyframe delta (docs/wire-format.md, "Scan deltas") kept as
// its own splat object, placed by its pose, plus the camera path with the current view highlighted.
// Deltas are applied in the order they came, none dropped (the live channel queues them).
import * as THREE from "three";
import type { FrameDecoder } from "./decoder";
import { LiveSplats } from "./live_splats";
import type { DecodedFrame, ScanDelta } from "./wire";

// OpenCV axes (x right, y down, z forward) to three.js's (y up, z back): 180° about x, the turn the
// viewer gives every splat object (docs/wire-format.md, "Coordinates").
const OPENCV = new THREE.Matrix4().makeScale(1, -1, -1);
// Colours a room rarely has at full strength, so the path stands out (and a test can find it).
const PATH_COLOUR = 0xff00ff;
const CURRENT_COLOUR = 0x00ffff;
const FRUSTUM_DEPTH = 0.15; // the current view's frustum, as a share of its delta's median depth

interface Keyframe {
	holder: THREE.Group; // carries the pose; the splats inside are in the keyframe's camera frame
	splats: LiveSplats;
	frame: DecodedFrame; // kept: replaced splats are cleared in its planes and uploaded again
}

/** A delta's pose (camera → world, OpenCV, row-major) as the holder's three.js matrix. */
export function holder_matrix(pose: number[]): THREE.Matrix4 {
	const m = new THREE.Matrix4().set(...(pose as Parameters<THREE.Matrix4["set"]>));
	return OPENCV.clone().multiply(m).multiply(OPENCV);
}

export class ScanScene {
	readonly group = new THREE.Group();
	scene_id = -1;
	private keyframes = new Map<number, Keyframe>();
	private centres: THREE.Vector3[] = []; // the camera path, in three.js axes
	private readonly path = new THREE.Line(new THREE.BufferGeometry(), new THREE.LineBasicMaterial({ color: PATH_COLOUR }));
	private readonly current = new THREE.LineSegments(
		new THREE.BufferGeometry(),
		new THREE.LineBasicMaterial({ color: CURRENT_COLOUR })
	);
	private chain: Promise<void> = Promise.resolve();

	constructor(
		private readonly decoder: FrameDecoder,
		private readonly on_applied: (scan: ScanDelta, bytes: number) => void,
		private readonly on_error: (error: unknown) => void
	) {
		this.group.add(this.path, this.current);
		this.current.matrixAutoUpdate = false;
		// Their geometry changes with every delta: a bounding sphere computed once would cull them.
		this.path.frustumCulled = this.current.frustumCulled = false;
	}

	/** Queues a delta's bytes (transferred to the decoder): applied after every earlier one. */
	push(bytes: Uint8Array): void {
		this.chain = this.chain
			.then(async () => {
				const size = bytes.byteLength; // read before the worker takes the buffer
				const { frame } = await this.decoder.decode(bytes);
				this.apply(frame, size);
			})
			.catch(this.on_error);
	}

	get splats(): number {
		let count = 0;
		for (const { frame } of this.keyframes.values()) count += frame.valid;
		return count;
	}

	get size(): number {
		return this.keyframes.size;
	}

	get path_length(): number {
		return this.centres.length;
	}

	apply(frame: DecodedFrame, bytes = 0): void {
		const scan = frame.header.scan;
		const pose = frame.header.pose;
		if (!scan || !pose) throw new Error("wire frame: a scan delta needs 'scan' and 'pose'");
		if (scan.full || scan.scene !== this.scene_id) this.clear();
		this.scene_id = scan.scene;
		if (scan.path) this.centres = path_centres(scan.path);
		for (const id of scan.evicted) this.drop(id);
		for (const [id, pixels] of scan.removed) this.remove(id, pixels);
		if (scan.keyframe >= 0 && !scan.path) this.centres.push(centre_of(pose));
		if (scan.kept > 0) this.add(scan.keyframe, frame, pose);
		this.draw_path(pose, frame.header.target_depth, frame.header.camera);
		this.on_applied(scan, bytes);
	}

	/** Sends planes that changed to the GPU; the viewer calls it just before drawing. */
	upload(renderer: THREE.WebGLRenderer): void {
		for (const { splats } of this.keyframes.values()) splats.upload(renderer);
	}

	get upload_pending(): boolean {
		for (const { splats } of this.keyframes.values()) if (splats.upload_pending) return true;
		return false;
	}

	clear(): void {
		for (const id of [...this.keyframes.keys()]) this.drop(id);
		this.centres = [];
		set_points(this.path, []);
		set_points(this.current, []);
		this.scene_id = -1;
	}

	dispose(): void {
		this.clear();
		this.path.geometry.dispose();
		(this.path.material as THREE.Material).dispose();
		this.current.geometry.dispose();
		(this.current.material as THREE.Material).dispose();
	}

	private add(id: number, frame: DecodedFrame, pose: number[]): void {
		this.drop(id);
		const holder = new THREE.Group();
		holder.matrixAutoUpdate = false;
		holder.matrix.copy(holder_matrix(pose));
		this.group.add(holder);
		const splats = new LiveSplats(holder);
		splats.apply(frame);
		this.keyframes.set(id, { holder, splats, frame });
	}

	/** Clears replaced splats: their depth codes (channels 4 and 5, layer 1) become 0, "no splat". */
	private remove(id: number, pixels: Uint8Array): void {
		const keyframe = this.keyframes.get(id);
		if (!keyframe) return;
		const { frame } = keyframe;
		const n = frame.header.camera.width * frame.header.camera.height;
		const indices = new DataView(pixels.buffer, pixels.byteOffset, pixels.byteLength);
		for (let i = 0; i + 4 <= pixels.byteLength; i += 4) {
			const k = indices.getUint32(i, true);
			if (k >= n) continue;
			const at = 4 * n + 4 * k;
			if (frame.planes[at] || frame.planes[at + 1]) frame.valid -= 1;
			frame.planes[at] = frame.planes[at + 1] = 0;
		}
		keyframe.splats.apply(frame);
	}

	private drop(id: number): void {
		const keyframe = this.keyframes.get(id);
		if (!keyframe) return;
		keyframe.splats.dispose();
		this.group.remove(keyframe.holder);
		this.keyframes.delete(id);
	}

	private draw_path(pose: number[], depth: number, camera: DecodedFrame["header"]["camera"]): void {
		set_points(this.path, this.centres);
		// The current view: a frustum from the camera centre to a rectangle at a share of its depth.
		const d = FRUSTUM_DEPTH * depth;
		const [hw, hh] = [(camera.width / 2 / camera.fx) * d, (camera.height / 2 / camera.fy) * d];
		const apex = new THREE.Vector3();
		const corners = [
			[-hw, -hh],
			[hw, -hh],
			[hw, hh],
			[-hw, hh]
		].map(([x, y]) => new THREE.Vector3(x, y, d));
		const lines: THREE.Vector3[] = [];
		corners.forEach((c, i) => lines.push(apex, c, c, corners[(i + 1) % 4]));
		set_points(this.current, lines);
		this.current.matrix.copy(holder_matrix(pose)).multiply(OPENCV);
	}
}

/** New geometry for a line: three's setFromPoints only rewrites an existing buffer, never grows it. */
function set_points(line: THREE.Line, points: THREE.Vector3[]): void {
	line.geometry.dispose();
	line.geometry = new THREE.BufferGeometry().setFromPoints(points);
}

function centre_of(pose: number[]): THREE.Vector3 {
	return new THREE.Vector3(pose[3], pose[7], pose[11]).applyMatrix4(OPENCV);
}

function path_centres(flat: number[]): THREE.Vector3[] {
	const centres: THREE.Vector3[] = [];
	for (let i = 0; i + 16 <= flat.length; i += 16) centres.push(centre_of(flat.slice(i, i + 16)));
	return centres;
}
