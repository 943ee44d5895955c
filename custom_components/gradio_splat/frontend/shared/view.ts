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

/** Events per second over the last `window_ms`. */
export class RateMeter {
	private times: number[] = [];

	constructor(private readonly window_ms = 1000) {}

	tick(now: number): void {
		this.times.push(now);
		this.trim(now);
	}

	rate(now: number): number {
		this.trim(now);
		return (this.times.length * 1000) / this.window_ms;
	}

	private trim(now: number): void {
		let i = 0;
		while (i < this.times.length && now - this.times[i] > this.window_ms) i++;
		if (i) this.times.splice(0, i);
	}
}
