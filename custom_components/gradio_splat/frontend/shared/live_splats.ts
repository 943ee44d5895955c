// The streaming half of the viewer: one PackedSplats that every frame is copied into, in place.
import { PackedSplats, SplatMesh } from "@sparkjsdev/spark";
import type { Object3D } from "three";
import type { WireFrame } from "./wire";

// Spark's splat textures are 2048 splats wide; PackedSplats floors its capacity to a multiple of
// it (spark.md §1.1), so an unpadded array would silently lose its last splats.
export const SPLAT_TEX_WIDTH = 2048;
// Grow by at least this factor, so a splat count that creeps up does not rebuild every frame.
const GROWTH = 1.5;

const round_up = (n: number) => Math.ceil(n / SPLAT_TEX_WIDTH) * SPLAT_TEX_WIDTH;

/** Capacity (a multiple of 2048) that holds `n` splats: `current` while it fits, else grown. */
export function capacity_for(n: number, current: number): number {
	if (n <= current) return current;
	return round_up(Math.max(n, current * GROWTH, 1));
}

/**
 * Copies `src` to the start of `dst` and zeroes what the previous copy (`prev_bytes`) left beyond
 * it. A Uint8Array view does the copy because msgpack bin payloads are not 4-byte aligned, so no
 * Uint32Array view of them can exist. Zeroed splats have zero scales, which Spark treats as inactive.
 */
export function copy_into(dst: Uint32Array, src: Uint8Array, prev_bytes: number): void {
	const bytes = new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength);
	bytes.set(src);
	if (prev_bytes > src.byteLength) bytes.fill(0, src.byteLength, prev_bytes);
}

type ShTexture = { value: { needsUpdate: boolean } } | undefined;

/**
 * Holds the stream's SplatMesh. Sort policy: `numSplats` stays at the capacity and unused slots
 * are zeroed, so a new frame does not change Spark's mapping and is drawn on the very next render
 * in the previous frame's sort order until the next sort lands (spark.md §1.5). A frame's splats
 * come one per pixel in pixel order, so index i is nearly the same splat from frame to frame and
 * the old order is nearly right; letting numSplats vary instead would hold every frame back until
 * its own sort finished. The mesh is rebuilt only when the capacity grows or the SH degree changes
 * (Spark builds its SH textures and shader once per PackedSplats, spark.md §2.3).
 */
export class LiveSplats {
	mesh: SplatMesh | null = null;
	private packed: PackedSplats | null = null;
	private capacity = 0;
	private sh_degree = 0;
	private count = 0;

	constructor(private readonly parent: Object3D) {}

	/** Copies `frame` in; returns true when the mesh had to be rebuilt. */
	apply(frame: WireFrame): boolean {
		const n = frame.num_splats;
		const capacity = capacity_for(n, this.capacity);
		const rebuilt = capacity !== this.capacity || frame.sh_degree !== this.sh_degree;
		if (rebuilt) this.rebuild(capacity, frame.sh_degree);
		const packed = this.packed!;
		copy_into(packed.packedArray!, frame.packed, this.count * 16);
		const extra = packed.extra as Record<string, Uint32Array | ShTexture>;
		if (frame.sh1) copy_sh(extra, "sh1", frame.sh1, this.count * 8);
		if (frame.sh2) copy_sh(extra, "sh2", frame.sh2, this.count * 16);
		// Read by Spark's shMax uniform at every generate, so changing it needs no rebuild.
		packed.splatEncoding!.sh1Max = frame.sh_max[0];
		packed.splatEncoding!.sh2Max = frame.sh_max[1];
		this.count = n;
		packed.needsUpdate = true; // re-upload the splat texture at the next render
		this.mesh!.updateVersion(); // make SparkRenderer regenerate and re-sort
		return rebuilt;
	}

	dispose(): void {
		if (this.mesh) {
			this.parent.remove(this.mesh);
			this.mesh.dispose(); // also disposes the PackedSplats and its SH textures
		}
		this.mesh = null;
		this.packed = null;
		this.capacity = 0;
		this.sh_degree = 0;
		this.count = 0;
	}

	private rebuild(capacity: number, sh_degree: number): void {
		const extra: Record<string, Uint32Array> = {};
		if (sh_degree >= 1) extra.sh1 = new Uint32Array(capacity * 2);
		if (sh_degree >= 2) extra.sh2 = new Uint32Array(capacity * 4);
		const packed = new PackedSplats({
			packedArray: new Uint32Array(capacity * 4),
			numSplats: capacity,
			extra
		});
		const mesh = new SplatMesh({ packedSplats: packed });
		mesh.quaternion.set(1, 0, 0, 0); // OpenCV (y down, z forward) to three.js: 180° about x
		this.dispose();
		this.parent.add(mesh);
		this.mesh = mesh;
		this.packed = packed;
		this.capacity = capacity;
		this.sh_degree = sh_degree;
	}
}

function copy_sh(
	extra: Record<string, Uint32Array | ShTexture>,
	key: "sh1" | "sh2",
	src: Uint8Array,
	prev_bytes: number
): void {
	copy_into(extra[key] as Uint32Array, src, prev_bytes);
	// Spark uploads SH textures once and caches them in extra (spark.md §2.3): flag the re-upload.
	const texture = extra[`${key}Texture`] as ShTexture;
	if (texture) texture.value.needsUpdate = true;
}
