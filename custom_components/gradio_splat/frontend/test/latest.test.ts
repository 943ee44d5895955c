import { describe, expect, test } from "vitest";
import { LatestWins } from "../shared/latest";

function deferred() {
	let resolve!: () => void;
	const promise = new Promise<void>((r) => (resolve = r));
	return { promise, resolve };
}
const flush = () => new Promise((r) => setTimeout(r, 0));

describe("LatestWins", () => {
	test("runs one value at a time and only the newest of those that waited", async () => {
		const started: number[] = [];
		const gates = new Map<number, ReturnType<typeof deferred>>();
		const latest = new LatestWins<number>(
			(v) => {
				started.push(v);
				gates.set(v, deferred());
				return gates.get(v)!.promise;
			},
			() => {}
		);
		latest.push(1);
		latest.push(2);
		latest.push(3);
		latest.push(4);
		expect(started).toEqual([1]); // at most one in flight
		gates.get(1)!.resolve();
		await flush();
		expect(started).toEqual([1, 4]); // 2 and 3 were stale: dropped, not queued
		expect(latest.dropped).toBe(2);
		gates.get(4)!.resolve();
		await flush();
		expect(latest.busy).toBe(false);
	});

	test("reports a failed run and goes on with the next value", async () => {
		const errors: unknown[] = [];
		const seen: number[] = [];
		const latest = new LatestWins<number>(
			async (v) => {
				seen.push(v);
				if (v === 1) throw new Error("404");
			},
			(e) => errors.push(e)
		);
		latest.push(1);
		latest.push(2);
		await flush();
		expect(seen).toEqual([1, 2]);
		expect(errors).toHaveLength(1);
	});
});
