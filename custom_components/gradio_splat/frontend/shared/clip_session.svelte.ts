// The viewer's clips: recording what it shows, replaying a recording or a clip file (dropped on the
// viewer or sent by the server as a value), downloading it, and back to live. The viewer stays one
// viewer: a clip's frames go through its decoder and its splats, and its camera stays the user's.
import { ClipReader, CLIP_EXTENSION, blob_source, type ClipSource } from "./clip";
import { ClipPlayer } from "./player.svelte";
import { Recorder } from "./recorder.svelte";

export interface ClipHost {
	/** Decodes and shows frame `index` of the clip being replayed. */
	show(bytes: Uint8Array, index: number): Promise<void>;
	/** Replay ended: the viewer shows live frames again. */
	live(): void;
	/** Sets test hooks (data attributes of the canvas). */
	hooks(values: Record<string, string | number>): void;
	/** Renders so far. */
	renders(): number;
}

// A scrub holds the viewer's drawing until its frame is on screen, at most this long: the next picture
// drawn is the chosen frame, not the one before it (reading and decoding one takes a few ms).
const SEEK_HOLD_MS = 100;

/** A clip file to download: a Blob (a recording, a dropped file) or the server's URL. */
export type ClipFile = { name: string; blob: Blob | null; url: string | null };

export class ClipSession {
	readonly recorder: Recorder;
	player = $state<ClipPlayer | null>(null);
	file = $state<ClipFile | null>(null); // the clip replayed, or the last recording
	error = $state("");

	private opened_at = NaN; // when the clip was asked for: its first frame's time to screen is measured
	private seek_started: { index: number; t0: number; renders: number } | null = null;
	private applied: number | null = null; // the clip frame applied since the last render
	private generation = 0; // bumped on every open and on back to live: an older open is dropped

	constructor(private readonly host: ClipHost) {
		this.recorder = new Recorder((clip) => {
			if (!clip) return;
			const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
			this.file = { name: `clip-${stamp}${CLIP_EXTENSION}`, blob: clip, url: null };
			this.hooks();
		});
	}

	get replaying(): boolean {
		return this.player !== null;
	}

	toggle_record(): void {
		if (this.recorder.recording) this.recorder.stop();
		else this.recorder.start();
		this.hooks();
	}

	/** Keeps a frame the viewer decoded, while recording: `frame` holds a copy of its bytes. */
	record(frame: Blob, arrived: number, frame_id: number): void {
		this.recorder.add(frame, arrived, frame_id);
		this.hooks();
	}

	/** Replays the last recording. */
	replay(): void {
		if (this.file?.blob) void this.open(blob_source(this.file.blob, this.file.name), this.file);
	}

	/** Opens a clip and plays it from the start once its first frame is on screen (so that a slow
	 * first draw, Spark compiling its programs, skips none of it); a clip that cannot be read says why. */
	async open(source: ClipSource, file: ClipFile): Promise<void> {
		const generation = ++this.generation;
		this.opened_at = performance.now();
		this.error = "";
		if (this.recorder.recording) this.recorder.stop();
		let reader: ClipReader;
		try {
			reader = await ClipReader.open(source);
		} catch (e) {
			if (generation === this.generation) this.fail(e);
			return;
		}
		if (generation !== this.generation) return;
		this.player?.dispose();
		this.file = file;
		this.player = new ClipPlayer(reader, (bytes, index) => this.host.show(bytes, index), (e) => this.fail(e));
		this.host.hooks({ clip: "replay", clipFrames: reader.count, clipDurationMs: reader.duration_ms, clipFirstMs: "", clipIndex: -1, clipError: "" });
		this.player.seek(0);
	}

	/** Opens a file dropped on the viewer. */
	open_file(file: File): void {
		void this.open(blob_source(file, file.name), { name: file.name, blob: file, url: null });
	}

	back_to_live(): void {
		this.generation++;
		this.player?.dispose();
		this.player = null;
		this.applied = this.seek_started = null;
		this.opened_at = NaN;
		this.hooks();
		this.host.live();
	}

	/** Scrubbing: shows the frame at `time_ms`; its time to screen is measured. */
	seek(time_ms: number): void {
		if (!this.player) return;
		const index = this.player.clip.frame_at(time_ms);
		if (index === this.player.index) {
			this.seek_started = null;
			this.host.hooks({ seekMs: 0, seekRenders: 0 }); // on screen already
		} else {
			// While a drag outruns the decoder, time runs from its first unanswered scrub: the viewer is
			// held SEEK_HOLD_MS at most, then draws the frames that land on the way.
			const { t0, renders } = this.seek_started ?? { t0: performance.now(), renders: this.host.renders() };
			this.seek_started = { index, t0, renders };
		}
		this.player.seek(time_ms);
	}

	/** True while a scrub's frame is on its way: the viewer skips drawing (SEEK_HOLD_MS at most). */
	holding(): boolean {
		return this.seek_started !== null && performance.now() - this.seek_started.t0 < SEEK_HOLD_MS;
	}

	/** The viewer applied clip frame `index`: the next render draws it. */
	applied_frame(index: number): void {
		this.applied = index;
		this.host.hooks({ clipIndex: index });
	}

	/** After each render: the times to screen of a clip's first frame and of a scrub's frame. */
	drawn(): void {
		if (this.applied === null) return;
		const now = performance.now();
		if (this.applied === 0 && !Number.isNaN(this.opened_at)) {
			this.host.hooks({ clipFirstMs: (now - this.opened_at).toFixed(1) });
			this.opened_at = NaN;
			this.player?.play();
		}
		if (this.seek_started?.index === this.applied) {
			const { t0, renders } = this.seek_started;
			// The renders that passed between the scrub and the one that drew its frame, this one included.
			this.host.hooks({ seekMs: (now - t0).toFixed(1), seekRenders: this.host.renders() - renders });
			this.seek_started = null;
		}
		this.applied = null;
	}

	dispose(): void {
		this.generation++;
		this.recorder.dispose();
		this.player?.dispose();
	}

	private fail(e: unknown): void {
		this.error = e instanceof Error ? e.message : String(e);
		this.host.hooks({ clipError: this.error });
		console.error("gradio_splat: clip:", e);
	}

	private hooks(): void {
		this.host.hooks({
			clip: this.player ? "replay" : this.recorder.recording ? "recording" : "",
			recordFrames: this.recorder.frames,
			recordBytes: this.recorder.bytes,
			clipError: this.error
		});
	}
}
