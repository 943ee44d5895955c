// Clip files, version 1 (docs/clip-format.md; backend/gradio_splat/clip.py is the Python side): wire
// frames with their times, then an index and a fixed-size trailer. The reader opens a clip by
// reading its header, trailer and index only, and reads each frame when it is asked for, from a
// Blob (`slice`) or a URL (HTTP range requests): memory stays bounded whatever the clip's size.
import { decode, encode } from "@msgpack/msgpack";
import { WIRE_VERSION } from "./wire";

export const CLIP_FORMAT = "gradio-splat-clip";
export const CLIP_VERSION = 1;
export const CLIP_EXTENSION = ".splatclip";
const MAGIC = [0x89, 0x43, 0x4c, 0x49, 0x50, 0x0d, 0x0a, 0x1a]; // "\x89CLIP\r\n\x1a"
const END_MAGIC = [0x63, 0x6c, 0x69, 0x70]; // "clip"
const PREAMBLE_BYTES = 16; // magic, u32 version, u32 header length
const RECORD_BYTES = 8; // u32 frame length, u32 time (ms since the first frame)
const TRAILER_BYTES = 16; // u64 index offset, u32 index length, end magic
// Limits checked before anything they size is read (the same as clip.py's).
const MAX_HEADER_BYTES = 64 * 1024;
const MAX_INDEX_BYTES = 16 * 1024 * 1024;
const MAX_FRAMES = 1_000_000;
// Opening reads the clip's first and last bytes in one read each (over HTTP, each read is a request):
// its header, and its trailer with the index of a clip of up to about 20,000 frames.
const HEAD_READ = 64 * 1024;
const TAIL_READ = 256 * 1024;
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Where a clip's bytes are: `read` returns exactly `length` bytes from `offset`. */
export interface ClipSource {
	name: string;
	size: number;
	read(offset: number, length: number): Promise<Uint8Array>;
}

export function blob_source(blob: Blob, name: string): ClipSource {
	return {
		name,
		size: blob.size,
		read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer())
	};
}

/** A clip served over HTTP: each read is one range request (Gradio's file route answers them). */
export function url_source(url: string, size: number, name: string): ClipSource {
	return {
		name,
		size,
		read: async (offset, length) => {
			const response = await fetch(url, { headers: { Range: `bytes=${offset}-${offset + length - 1}` } });
			if (response.status !== 206) {
				void response.body?.cancel();
				throw new Error(`${name}: the server did not answer a range request (HTTP ${response.status})`);
			}
			const bytes = new Uint8Array(await response.arrayBuffer());
			if (bytes.byteLength !== length) throw new Error(`${name} is truncated: ${bytes.byteLength} of ${length} bytes`);
			return bytes;
		}
	};
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const starts_with = (b: Uint8Array, magic: number[], at = 0) => magic.every((m, i) => b[at + i] === m);
const is_map = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const int_list = (v: unknown, n: number): v is number[] =>
	Array.isArray(v) && v.length === n && v.every((x) => Number.isSafeInteger(x));

function unpack_map(bytes: Uint8Array, what: string): Record<string, unknown> {
	let value: unknown;
	try {
		value = decode(bytes);
	} catch (e) {
		throw new Error(`${what} is damaged (${(e as Error).message})`);
	}
	if (!is_map(value)) throw new Error(`${what} is damaged: not a map`);
	return value;
}

/** An open clip: its index in memory, its frames read one at a time. */
export class ClipReader {
	private constructor(
		private readonly source: ClipSource,
		readonly header: Record<string, unknown>,
		readonly times_ms: number[],
		readonly frame_ids: number[],
		readonly duration_ms: number,
		private readonly offsets: number[], // record i spans offsets[i] .. offsets[i + 1]
		readonly bytes: number
	) {}

	get count(): number {
		return this.times_ms.length;
	}

	get name(): string {
		return this.source.name;
	}

	/** Reads and checks the clip's layout; throws an Error that says, for the user, what is wrong. */
	static async open(source: ClipSource): Promise<ClipReader> {
		const { name, size } = source;
		if (size < PREAMBLE_BYTES + TRAILER_BYTES) throw new Error(`${name} is not a clip (${size} bytes)`);
		const tail_start = Math.max(0, size - TAIL_READ);
		const [head, tail] = await Promise.all([source.read(0, Math.min(size, HEAD_READ)), source.read(tail_start, size - tail_start)]);
		// Bytes [offset, offset + length) from what was read, or read now.
		const bytes = (offset: number, length: number) =>
			offset + length <= head.byteLength
				? Promise.resolve(head.subarray(offset, offset + length))
				: offset >= tail_start
					? Promise.resolve(tail.subarray(offset - tail_start, offset - tail_start + length))
					: source.read(offset, length);
		const preamble = head.subarray(0, PREAMBLE_BYTES);
		if (!starts_with(preamble, MAGIC)) throw new Error(`${name} is not a clip (a ${CLIP_EXTENSION} file)`);
		const version = view(preamble).getUint32(8, true);
		const header_length = view(preamble).getUint32(12, true);
		if (version !== CLIP_VERSION) {
			throw new Error(`${name} is a clip of version ${version}; this viewer reads version ${CLIP_VERSION}`);
		}
		if (header_length > MAX_HEADER_BYTES || PREAMBLE_BYTES + header_length + TRAILER_BYTES > size) {
			throw new Error(`${name} is truncated or damaged: its header claims ${header_length} bytes`);
		}
		const header = unpack_map(await bytes(PREAMBLE_BYTES, header_length), `${name}'s header`);
		if (header.format !== CLIP_FORMAT || header.wire_version !== WIRE_VERSION) {
			throw new Error(
				`${name} holds ${JSON.stringify(header.format)} frames of wire version ` +
					`${JSON.stringify(header.wire_version)}; this viewer reads wire version ${WIRE_VERSION}`
			);
		}
		const first = PREAMBLE_BYTES + header_length;
		const trailer = tail.subarray(tail.byteLength - TRAILER_BYTES);
		if (!starts_with(trailer, END_MAGIC, 12)) {
			throw new Error(`${name} is truncated: it does not end with a clip index (was the download cut short?)`);
		}
		const t = view(trailer);
		const index_offset = t.getUint32(0, true) + t.getUint32(4, true) * 2 ** 32;
		const index_length = t.getUint32(8, true);
		if (index_length > MAX_INDEX_BYTES || index_offset < first || index_offset + index_length + TRAILER_BYTES !== size) {
			throw new Error(
				`${name} is damaged: its trailer puts a ${index_length}-byte index at ${index_offset} in a file of ${size} bytes`
			);
		}
		const index = unpack_map(await bytes(index_offset, index_length), `${name}'s index`);
		const count = index.frames;
		const { offsets, times_ms, frame_ids, duration_ms } = index;
		if (
			!Number.isInteger(count) ||
			(count as number) < 0 ||
			(count as number) > MAX_FRAMES ||
			!int_list(offsets, count as number) ||
			!int_list(times_ms, count as number) ||
			!int_list(frame_ids, count as number) ||
			!Number.isSafeInteger(duration_ms)
		) {
			throw new Error(`${name}'s index is damaged: it must list the offset, time and id of each frame`);
		}
		// Records are contiguous from the header's end to the index: each frame's length follows.
		const bounds = [...offsets, index_offset];
		if (offsets.length && offsets[0] !== first) throw new Error(`${name}'s index is damaged: its first frame is not after the header`);
		for (let i = 0; i < offsets.length; i++) {
			const length = bounds[i + 1] - bounds[i] - RECORD_BYTES;
			if (!(length >= 0 && length <= MAX_FRAME_BYTES)) {
				throw new Error(`${name}'s index is damaged: frame ${i} would be ${length} bytes`);
			}
			if (times_ms[i] < (i ? times_ms[i - 1] : 0)) {
				throw new Error(`${name}'s index is damaged: frame times must start at 0 or later and never go back`);
			}
		}
		if (!offsets.length) throw new Error(`${name} holds no frames`);
		if ((duration_ms as number) < times_ms[times_ms.length - 1]) throw new Error(`${name}'s index is damaged: its duration is too short`);
		return new ClipReader(source, header, times_ms, frame_ids, duration_ms as number, bounds, size);
	}

	/** Frame i's wire frame bytes, read from the source now. */
	async frame(i: number): Promise<Uint8Array> {
		const start = this.offsets[i];
		const length = this.offsets[i + 1] - start - RECORD_BYTES;
		const record = await this.source.read(start, RECORD_BYTES + length);
		const r = view(record);
		if (r.getUint32(0, true) !== length || r.getUint32(4, true) !== this.times_ms[i]) {
			throw new Error(`${this.name}: frame ${i}'s record does not match the index (damaged clip)`);
		}
		return record.subarray(RECORD_BYTES);
	}

	/** The index of the last frame shown at `time_ms` (0 before the first frame's time). */
	frame_at(time_ms: number): number {
		let lo = 0;
		let hi = this.count - 1;
		while (lo < hi) {
			const mid = (lo + hi + 1) >> 1;
			if (this.times_ms[mid] <= time_ms) lo = mid;
			else hi = mid - 1;
		}
		return lo;
	}
}

/**
 * Builds a clip in memory as a Blob of Blobs: each frame is copied into a Blob of its own as it is
 * added (the browser may keep Blob data out of the page's heap, on disk for large ones), and
 * `finish` puts header, frames, index and trailer together without copying them again.
 */
export class ClipWriter {
	private readonly parts: BlobPart[];
	private offset: number;
	private readonly offsets: number[] = [];
	private readonly times: number[] = [];
	private readonly ids: number[] = [];

	constructor(source: string) {
		const header = encode({ format: CLIP_FORMAT, wire_version: WIRE_VERSION, created: Date.now() / 1000, source });
		const preamble = new Uint8Array(PREAMBLE_BYTES);
		preamble.set(MAGIC);
		view(preamble).setUint32(8, CLIP_VERSION, true);
		view(preamble).setUint32(12, header.byteLength, true);
		this.parts = [preamble, header];
		this.offset = PREAMBLE_BYTES + header.byteLength;
	}

	/** Bytes so far (without the index, which adds about 12 bytes a frame). */
	get bytes(): number {
		return this.offset;
	}

	get frames(): number {
		return this.times.length;
	}

	/** Appends a frame (a Blob of its wire frame's bytes) shown `time_ms` after the clip's first. */
	add(frame: Blob, time_ms: number, frame_id: number): void {
		const record = new Uint8Array(RECORD_BYTES);
		const time = Math.max(Math.round(time_ms), this.times[this.times.length - 1] ?? 0);
		view(record).setUint32(0, frame.size, true);
		view(record).setUint32(4, time, true);
		this.parts.push(record, frame);
		this.offsets.push(this.offset);
		this.times.push(time);
		this.ids.push(frame_id);
		this.offset += RECORD_BYTES + frame.size;
	}

	/** The clip file. */
	finish(duration_ms: number): Blob {
		const index = encode({
			frames: this.times.length,
			duration_ms: Math.max(Math.round(duration_ms), this.times[this.times.length - 1] ?? 0),
			offsets: this.offsets,
			times_ms: this.times,
			frame_ids: this.ids
		});
		const trailer = new Uint8Array(TRAILER_BYTES);
		const t = view(trailer);
		t.setUint32(0, this.offset % 2 ** 32, true);
		t.setUint32(4, Math.floor(this.offset / 2 ** 32), true);
		t.setUint32(8, index.byteLength, true);
		trailer.set(END_MAGIC, 12);
		return new Blob([...this.parts, index, trailer], { type: "application/octet-stream" });
	}
}
