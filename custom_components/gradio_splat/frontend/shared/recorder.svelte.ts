// Recording what the viewer shows: every wire frame it decodes (from the live channel, Gradio's
// stream or a frame file) with the time it arrived, into a clip (clip.ts). Capped so that a
// forgotten recording stops with a notice instead of filling the browser's memory.
import { ClipWriter } from "./clip";

export const LIMITS = { ms: 60_000, bytes: 300 * 1024 * 1024 };
const COUNTER_MS = 250;

export class Recorder {
	recording = $state(false);
	elapsed_ms = $state(0); // since the recording started
	bytes = $state(0);
	frames = $state(0);
	notice = $state(""); // why the last recording stopped, when it was the cap
	clip = $state<Blob | null>(null); // the last recording, once stopped

	private writer: ClipWriter | null = null;
	private started = 0;
	private first = NaN; // arrival time of the first frame: the clip's time 0
	private ticks: ReturnType<typeof setInterval> | undefined;

	constructor(
		private readonly on_stop: (clip: Blob | null) => void,
		private readonly limits = LIMITS
	) {}

	start(): void {
		if (this.recording) return;
		this.writer = new ClipWriter("viewer");
		this.started = performance.now();
		this.first = NaN;
		this.elapsed_ms = this.bytes = this.frames = 0;
		this.notice = "";
		this.recording = true;
		this.ticks = setInterval(() => this.tick(), COUNTER_MS);
	}

	/** Keeps a frame that arrived at `arrived` (performance.now()): `frame` holds a copy of its bytes. */
	add(frame: Blob, arrived: number, frame_id: number): void {
		if (!this.writer) return;
		if (this.writer.bytes + frame.size > this.limits.bytes) {
			return this.stop(`Recording stopped at the ${this.limits.bytes / 2 ** 20} MB limit.`);
		}
		if (Number.isNaN(this.first)) this.first = arrived;
		this.writer.add(frame, arrived - this.first, frame_id);
		this.bytes = this.writer.bytes;
		this.frames = this.writer.frames;
	}

	/** Ends the recording; the clip (null if no frame came) goes to `on_stop`. */
	stop(notice = ""): void {
		if (!this.writer) return;
		clearInterval(this.ticks);
		const writer = this.writer;
		this.writer = null;
		this.recording = false;
		this.notice = notice;
		const end = performance.now();
		this.clip = writer.frames ? writer.finish(end - this.first) : null;
		if (!this.clip) this.notice ||= "Nothing recorded: no frame arrived.";
		this.on_stop(this.clip);
	}

	dispose(): void {
		clearInterval(this.ticks);
		this.writer = null;
		this.recording = false;
	}

	private tick(): void {
		this.elapsed_ms = performance.now() - this.started;
		if (this.elapsed_ms >= this.limits.ms) this.stop(`Recording stopped at the ${this.limits.ms / 1000} s limit.`);
	}
}
