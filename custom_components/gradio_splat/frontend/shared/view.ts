import type { Intrinsics } from "./wire";

/**
 * Vertical field of view, in degrees, that shows the whole webcam image in a view of `aspect`
 * (width / height): 2·atan(height / 2fy) when the aspects match, wider when the view is narrower
 * than the image. The principal point is taken as the image centre.
 */
export function fit_fov_deg(k: Intrinsics, aspect: number): number {
	const tan_half_v = k.height / (2 * k.fy);
	const tan_half_h = k.width / (2 * k.fx);
	return (2 * Math.atan(Math.max(tan_half_v, tan_half_h / aspect)) * 180) / Math.PI;
}

/** Samples of the last `window_ms`: how many there were per second, and their median. */
export class Recent {
	private samples: { time: number; value: number }[] = [];

	constructor(private readonly window_ms = 1000) {}

	add(now: number, value = 0): void {
		this.samples.push({ time: now, value });
		this.trim(now);
	}

	rate(now: number): number {
		this.trim(now);
		return (this.samples.length * 1000) / this.window_ms;
	}

	/** NaN without samples. */
	median(now: number): number {
		this.trim(now);
		const values = this.samples.map((s) => s.value).sort((a, b) => a - b);
		const mid = values.length >> 1;
		return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
	}

	private trim(now: number): void {
		let i = 0;
		while (i < this.samples.length && now - this.samples[i].time > this.window_ms) i++;
		if (i) this.samples.splice(0, i);
	}
}
