import { describe, expect, test } from "vitest";
import { Recent, fit_fov_deg } from "../shared/view";

const cam = { width: 640, height: 480, fx: 500, fy: 500, cx: 320, cy: 240 };
const deg = (rad: number) => (rad * 180) / Math.PI;

describe("fit_fov_deg", () => {
	test("is the webcam's vertical field of view when the aspects match", () => {
		expect(fit_fov_deg(cam, 640 / 480)).toBeCloseTo(deg(2 * Math.atan(240 / 500)), 10);
	});
	test("keeps that field of view in a wider view", () => {
		expect(fit_fov_deg(cam, 2)).toBeCloseTo(deg(2 * Math.atan(240 / 500)), 10);
	});
	test("widens so a narrower view still shows the whole image width", () => {
		// Portrait 1:2 view: tan(v/2) = (320 / 500) / 0.5.
		expect(fit_fov_deg(cam, 0.5)).toBeCloseTo(deg(2 * Math.atan(1.28)), 10);
	});
});

describe("Recent", () => {
	test("counts samples in the last second", () => {
		const recent = new Recent();
		for (let t = 0; t < 1000; t += 100) recent.add(t);
		expect(recent.rate(950)).toBe(10);
		expect(recent.rate(1450)).toBe(5);
		expect(recent.rate(5000)).toBe(0);
	});
	test("takes the median of the last second's values", () => {
		const recent = new Recent();
		[50, 10, 40, 20].forEach((v, i) => recent.add(i * 300, v)); // at 0, 300, 600, 900 ms
		expect(recent.median(900)).toBe(30); // even count: the mean of the middle two
		expect(recent.median(1001)).toBe(20); // the 50 at 0 ms has left the window
		expect(recent.median(3000)).toBeNaN();
	});
});
