/**
 * Runs `run` on the newest pushed value only. At most one run is in flight; values pushed
 * meanwhile replace each other, so a stale value is dropped, never queued. A run in flight is not
 * aborted: its bytes are mostly transferred, and showing them is still progress.
 */
export class LatestWins<T> {
	dropped = 0;
	private pending: { value: T } | null = null;
	private running = false;

	constructor(
		private readonly run: (value: T) => Promise<void>,
		private readonly on_error: (error: unknown) => void
	) {}

	push(value: T): void {
		if (this.pending) this.dropped += 1;
		this.pending = { value };
		if (!this.running) void this.drain();
	}

	/** True while a run is in flight. */
	get busy(): boolean {
		return this.running;
	}

	private async drain(): Promise<void> {
		this.running = true;
		while (this.pending) {
			const { value } = this.pending;
			this.pending = null;
			try {
				await this.run(value);
			} catch (error) {
				this.on_error(error);
			}
		}
		this.running = false;
	}
}
