import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { ClipReader, ClipWriter, blob_source } from "../shared/clip";
import { ClipPlayer } from "../shared/player.svelte";
import { Recorder } from "../shared/recorder.svelte";
import { fixture_bytes } from "./fixtures";

const frame = () => new Blob([fixture_bytes("points_lossless")]);

async function clip_of(times: number[], duration = 1000): Promise<Blob> {
	const writer = new ClipWriter("test");
	times.forEach((t, i) => writer.add(frame(), t, 10 + i));
	return writer.finish(duration);
}

describe("clip files", () => {
	test("read back frame for frame, in any order", async () => {
		const reader = await ClipReader.open(blob_source(await clip_of([0, 40, 95]), "a.splatclip"));
		expect([reader.count, reader.times_ms, reader.frame_ids, reader.duration_ms]).toEqual([3, [0, 40, 95], [10, 11, 12], 1000]);
		expect(reader.header).toMatchObject({ format: "gradio-splat-clip", wire_version: 2, source: "test" });
		const expected = fixture_bytes("points_lossless");
		for (const i of [2, 0, 1]) expect(await reader.frame(i)).toEqual(expected);
		expect([reader.frame_at(0), reader.frame_at(39), reader.frame_at(40), reader.frame_at(5000)]).toEqual([0, 0, 1, 2]);
	});

	test("a clip cut short or of another version says so", async () => {
		const bytes = new Uint8Array(await (await clip_of([0, 40])).arrayBuffer());
		const open = (b: Uint8Array) => ClipReader.open(blob_source(new Blob([b as Uint8Array<ArrayBuffer>]), "b.splatclip"));
		await expect(open(bytes.subarray(0, bytes.length - 1))).rejects.toThrow("b.splatclip is truncated");
		const v9 = bytes.slice();
		new DataView(v9.buffer).setUint32(8, 9, true);
		await expect(open(v9)).rejects.toThrow("b.splatclip is a clip of version 9; this viewer reads version 1");
		await expect(open(fixture_bytes("points_lossless"))).rejects.toThrow("is not a clip");
	});
});

describe("recording", () => {
	beforeEach(() => vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "performance"] }));
	afterEach(() => vi.useRealTimers());

	test("stops at its time limit, with a notice and the clip so far", async () => {
		const stopped = vi.fn();
		const recorder = new Recorder(stopped, { ms: 2000, bytes: 2 ** 30 });
		recorder.start();
		for (let i = 0; i < 5; i++) {
			recorder.add(frame(), performance.now(), i);
			await vi.advanceTimersByTimeAsync(300);
		}
		expect(recorder.recording).toBe(true);
		await vi.advanceTimersByTimeAsync(1000);
		expect(recorder.recording).toBe(false);
		expect(recorder.notice).toBe("Recording stopped at the 2 s limit.");
		const reader = await ClipReader.open(blob_source(stopped.mock.calls[0][0], "c.splatclip"));
		expect(reader.times_ms).toEqual([0, 300, 600, 900, 1200]);
		expect(reader.duration_ms).toBeGreaterThanOrEqual(1500);
	});

	test("stops at its size limit before the frame that would pass it", async () => {
		const size = frame().size;
		const recorder = new Recorder(() => {}, { ms: 60_000, bytes: 2.5 * size });
		recorder.start();
		for (let i = 0; i < 3; i++) recorder.add(frame(), i * 10, i);
		expect(recorder.recording).toBe(false);
		expect(recorder.frames).toBe(2);
		expect(recorder.notice).toMatch(/^Recording stopped at the [\d.]+ MB limit\.$/);
	});
});

describe("replay", () => {
	beforeEach(() => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] }));
	afterEach(() => vi.useRealTimers());

	async function player(speed = 1) {
		const reader = await ClipReader.open(blob_source(await clip_of([0, 100, 200, 300], 400), "d.splatclip"));
		const shown: [number, number][] = [];
		const p = new ClipPlayer(reader, async (_, i) => void shown.push([i, performance.now()]), (e) => {
			throw e;
		});
		p.set_speed(speed);
		return { p, shown };
	}

	test("plays at the recorded pace, at any speed, and loops", async () => {
		for (const speed of [1, 2, 0.25]) {
			const { p, shown } = await player(speed);
			const t0 = performance.now();
			p.play();
			await vi.advanceTimersByTimeAsync(450 / speed);
			p.pause();
			expect(shown.map(([i]) => i)).toEqual([0, 1, 2, 3, 0]);
			expect(shown.map(([, t]) => (t - t0) * speed)).toEqual([0, 100, 200, 300, 400]);
		}
	});

	test("without loop it stops at the end; play starts again from the start", async () => {
		const { p, shown } = await player();
		p.loop = false;
		p.play();
		await vi.advanceTimersByTimeAsync(1000);
		expect([p.playing, p.position_ms, shown.map(([i]) => i)]).toEqual([false, 400, [0, 1, 2, 3]]);
		p.play();
		await vi.advanceTimersByTimeAsync(0);
		expect(shown.map(([i]) => i)).toEqual([0, 1, 2, 3, 0]);
	});

	test("a seek shows the frame of its time, paused or playing", async () => {
		const { p, shown } = await player();
		p.seek(250);
		await vi.advanceTimersByTimeAsync(0);
		expect([p.index, p.playing]).toEqual([2, false]);
		p.play();
		await vi.advanceTimersByTimeAsync(60);
		expect(shown.map(([i]) => i)).toEqual([2, 3]);
	});
});
