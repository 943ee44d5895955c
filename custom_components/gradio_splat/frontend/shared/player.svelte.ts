// Replaying a clip (clip.ts) in the viewer: play/pause, seek, speed, loop. Frames are read from the
// clip as they come due, one at a time; a frame that is late when the next one is due is dropped
// (latest wins), so a clip always plays at its recorded pace, and a scrub lands on the last frame
// asked for.
import type { ClipReader } from "./clip";
import { LatestWins } from "./latest";

export const SPEEDS = [0.25, 0.5, 1, 1.5, 2] as const;

export class ClipPlayer {
	playing = $state(false);
	speed = $state(1);
	loop = $state(true);
	position_ms = $state(0); // the clip's time on screen
	index = $state(-1); // the frame on screen

	private anchor = { wall: 0, clip: 0 }; // while playing, clip time = clip + (now − wall) · speed
	private requested = -1;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private readonly loader: LatestWins<number>;
	private disposed = false;

	constructor(
		readonly clip: ClipReader,
		/** Decodes and shows frame `index` of the clip. */
		show: (bytes: Uint8Array, index: number) => Promise<void>,
		on_error: (error: unknown) => void
	) {
		this.loader = new LatestWins(async (i) => {
			const bytes = await clip.frame(i);
			if (this.disposed) return;
			await show(bytes, i);
			if (!this.disposed) this.index = i;
		}, on_error);
	}

	get duration_ms(): number {
		return this.clip.duration_ms;
	}

	play(): void {
		if (this.playing) return;
		if (this.position_ms >= this.duration_ms) this.position_ms = 0; // played to the end: from the start
		this.playing = true;
		this.reanchor();
		this.tick();
	}

	pause(): void {
		if (!this.playing) return;
		this.position_ms = this.now();
		this.playing = false;
		clearTimeout(this.timer);
	}

	/** Shows the frame at `time_ms` (clamped to the clip); playing goes on from there. */
	seek(time_ms: number): void {
		this.position_ms = Math.min(Math.max(time_ms, 0), this.duration_ms);
		this.request(this.clip.frame_at(this.position_ms));
		if (this.playing) {
			this.reanchor();
			this.tick();
		}
	}

	/** Shows frame `index`. */
	seek_frame(index: number): void {
		this.seek(this.clip.times_ms[Math.min(Math.max(index, 0), this.clip.count - 1)]);
	}

	set_speed(speed: number): void {
		if (this.playing) this.position_ms = this.now();
		this.speed = speed;
		if (this.playing) {
			this.reanchor();
			this.tick();
		}
	}

	dispose(): void {
		this.disposed = true;
		this.playing = false;
		clearTimeout(this.timer);
	}

	private now(): number {
		return this.anchor.clip + (performance.now() - this.anchor.wall) * this.speed;
	}

	private reanchor(): void {
		this.anchor = { wall: performance.now(), clip: this.position_ms };
	}

	private request(i: number): void {
		if (i === this.requested) return;
		this.requested = i;
		this.loader.push(i);
	}

	/** Shows the frame due now and sleeps until the next one is. */
	private tick(): void {
		clearTimeout(this.timer);
		if (!this.playing) return;
		let t = this.now();
		if (t >= this.duration_ms) {
			if (!this.loop || this.clip.count < 2) {
				this.position_ms = this.duration_ms;
				this.playing = false;
				return;
			}
			this.position_ms = 0;
			this.reanchor();
			t = 0;
		}
		const i = this.clip.frame_at(t);
		this.position_ms = t;
		this.request(i);
		const next = i + 1 < this.clip.count ? this.clip.times_ms[i + 1] : this.duration_ms;
		this.timer = setTimeout(() => this.tick(), Math.max(0, (next - t) / this.speed));
	}
}
