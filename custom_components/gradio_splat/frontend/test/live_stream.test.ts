import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { unpack } from "../shared/channel";
import { FALLBACK_WAIT_MS, LiveStream, NOTICES, TICK_MS } from "../shared/live_stream.svelte";
import { FakeSocket } from "./fake_socket";

// The camera without a browser: each grab is a tiny "JPEG" whose last byte is the size asked for.
const camera = vi.hoisted(() => ({ start_error: null as Error | null, grabs: [] as number[], stops: 0 }));
vi.mock("../shared/camera", () => ({
	Camera: class {
		async start() {
			if (camera.start_error) throw camera.start_error;
		}
		stop() {
			camera.stops += 1;
		}
		dispose() {}
		async grab(size: number, as: "bytes" | "data_url") {
			camera.grabs.push(size);
			const t = 1000 + camera.grabs.length;
			return { jpeg: as === "bytes" ? new Uint8Array([0xff, 0xd8, 0xff, size % 256]).buffer : `data:image/jpeg;base64,${t}`, t };
		}
	}
}));

// The channel's worker without a browser: the same Channel, on this thread.
vi.mock("../shared/remote_channel", async () => ({ RemoteChannel: (await import("../shared/channel")).Channel }));

const CHANNEL = { token: "t0k3n", path: "gradio_api/gradio_splat/live", sizes: [640, 392, 308], max_upload: 4 << 20 };
const flush = () => vi.advanceTimersByTimeAsync(0);

function make_stream() {
	const host = {
		root: "http://app:7860/",
		storage_key: "gradio_splat:test",
		dispatch: vi.fn(),
		close: vi.fn(),
		show: vi.fn(),
		delta: vi.fn(),
		hooks: vi.fn()
	};
	const stream = new LiveStream({} as HTMLVideoElement, host);
	const hooks = () => Object.assign({}, ...host.hooks.mock.calls.map(([values]) => values));
	return { stream, host, hooks };
}

/** A started stream whose channel is open and ready at `size`. */
async function streaming(size = 392) {
	const made = make_stream();
	await made.stream.start();
	made.stream.on_channel(CHANNEL);
	FakeSocket.last.open();
	FakeSocket.last.text({ type: "ready", size });
	await flush();
	return { ...made, socket: FakeSocket.last };
}

const headers = (socket: FakeSocket) => socket.binaries().map((m) => unpack<any>(m.buffer as ArrayBuffer).header);

describe("LiveStream", () => {
	beforeEach(() => {
		vi.useFakeTimers();
		FakeSocket.all = [];
		vi.stubGlobal("WebSocket", FakeSocket);
		const storage = new Map<string, string>();
		vi.stubGlobal("sessionStorage", {
			getItem: (k: string) => storage.get(k) ?? null,
			setItem: (k: string, v: string) => storage.set(k, v),
			removeItem: (k: string) => storage.delete(k)
		});
		Object.assign(camera, { start_error: null, grabs: [], stops: 0 });
	});
	afterEach(() => {
		vi.useRealTimers();
		vi.unstubAllGlobals();
	});

	test("asks for a channel, connects to it under the app's root, and says hello", async () => {
		const { stream, host } = make_stream();
		await stream.start();
		expect(stream.running).toBe(true);
		expect(host.dispatch).toHaveBeenCalledWith({ kind: "channel", token: null });
		stream.on_channel(CHANNEL);
		expect(FakeSocket.last.url).toBe("ws://app:7860/gradio_api/gradio_splat/live");
		FakeSocket.last.open();
		expect(FakeSocket.last.texts()).toEqual([{ type: "hello", token: "t0k3n" }]);
		stream.on_channel({ ...CHANNEL }); // the same token again: nothing changes
		expect(FakeSocket.all).toHaveLength(1);
	});

	test("sends one camera frame at a time, at the size asked for, the next after 'taken'", async () => {
		const { socket } = await streaming(392);
		expect(camera.grabs).toEqual([392]);
		expect(headers(socket)).toEqual([{ id: 0, t: 1001, size: 392, up_ms: null }]);
		socket.text({ type: "received", id: 0 });
		await flush();
		expect(socket.binaries()).toHaveLength(1); // received is not taken
		socket.text({ type: "taken", id: 0 });
		await flush();
		expect(headers(socket)[1]).toMatchObject({ id: 1, size: 392 });
		socket.text({ type: "taken", id: 0 }); // a stale one changes nothing
		await flush();
		expect(socket.binaries()).toHaveLength(2);
	});

	test("hands each result to the viewer, acknowledges it at once, and follows its size and drops", async () => {
		const { socket, host, hooks } = await streaming(640);
		socket.result({ id: 0, t: 1001, size: 308, level: 2, dropped_up: 0, dropped_down: 3, server_ms: 9 },
			new Uint8Array([9, 9]));
		expect(host.show).toHaveBeenCalledTimes(1);
		const [frame, t] = host.show.mock.calls[0];
		expect([...frame]).toEqual([9, 9]);
		expect(t).toBe(1001);
		expect(socket.texts().at(-1)).toEqual({ type: "ack", id: 0 });
		expect(hooks()).toMatchObject({ transport: "channel", size: 308, level: 2, delivered: 1, droppedDown: 3 });
		socket.text({ type: "taken", id: 0 });
		await flush();
		expect(camera.grabs.at(-1)).toBe(308); // the next frame is captured at the new size
	});

	test("ticks the settings through Gradio with its token", async () => {
		const { host } = await streaming();
		host.dispatch.mockClear();
		vi.advanceTimersByTime(3 * TICK_MS);
		expect(host.dispatch.mock.calls).toEqual(Array(3).fill([{ kind: "channel", token: "t0k3n" }]));
	});

	test("a lost connection is said, and the next 'ready' resumes the frames", async () => {
		const { stream, socket } = await streaming();
		socket.drop();
		expect(stream.notice).toBe(NOTICES.lost);
		vi.advanceTimersByTime(500);
		const again = FakeSocket.last;
		expect(again).not.toBe(socket);
		again.open();
		again.text({ type: "ready", size: 252 });
		await flush();
		expect(stream.notice).toBe("");
		expect(headers(again)).toMatchObject([{ size: 252 }]); // the frame lost with the socket is not awaited
	});

	test("a refused token starts a new stream; its new channel replaces the old", async () => {
		const { stream, socket, host } = await streaming();
		host.dispatch.mockClear();
		socket.drop(4403);
		expect(host.dispatch).toHaveBeenCalledWith({ kind: "channel", token: null });
		stream.on_channel({ ...CHANNEL, token: "n3w" });
		FakeSocket.last.open();
		expect(FakeSocket.last.texts()).toEqual([{ type: "hello", token: "n3w" }]);
	});

	test("hands queued results (scan deltas) to the scan scene, in order, never to the latest-wins decoder", async () => {
		const { socket, host } = await streaming(640);
		const header = { id: 0, t: 1001, size: 640, level: 0, dropped_up: 0, dropped_down: 0, server_ms: 9 };
		socket.result({ ...header, queued: true }, new Uint8Array([1]));
		socket.result({ ...header, queued: true }, new Uint8Array([2]));
		socket.result({ ...header, id: 1 }, new Uint8Array([3]));
		expect(host.delta.mock.calls.map(([frame]) => [...frame])).toEqual([[1], [2]]);
		expect(host.show).toHaveBeenCalledTimes(1);
		expect(socket.texts().filter((m) => m.type === "ack")).toHaveLength(3); // each acknowledged on receipt
	});

	test("falls back to Gradio's stream when the socket does not open, one frame per result", async () => {
		const { stream, host, hooks } = make_stream();
		await stream.start();
		stream.on_channel(CHANNEL);
		vi.advanceTimersByTime(3000); // settings ticks meanwhile
		await flush();
		expect(stream.transport).toBe("fallback");
		expect(stream.notice).toBe(NOTICES.fallback);
		expect(hooks()).toMatchObject({ transport: "fallback", notice: NOTICES.fallback });
		expect(host.dispatch.mock.calls.at(-1)).toEqual([{ kind: "camera", jpeg: "data:image/jpeg;base64,1001", id: 0, t: 1001 }]);
		host.dispatch.mockClear();
		vi.advanceTimersByTime(5 * TICK_MS);
		expect(host.dispatch).not.toHaveBeenCalled(); // no ticks: every frame carries the settings
		expect(stream.on_frame_value()).toBe(1001); // the result: its frame's capture time
		await flush();
		expect(host.dispatch).toHaveBeenCalledTimes(1);
		expect(stream.on_frame_value()).toBe(1002);
		await flush();
		vi.advanceTimersByTime(FALLBACK_WAIT_MS); // no result for this one (a frozen view): the next anyway
		await flush();
		expect(host.dispatch).toHaveBeenCalledTimes(3);
		expect(hooks().delivered).toBe(2);
	});

	test("stop ends the stream on the server, closes the socket and the camera, and forgets it", async () => {
		const { stream, socket, host } = await streaming();
		expect(sessionStorage.getItem("gradio_splat:test")).toBe("running");
		stream.stop();
		expect(host.close).toHaveBeenCalledTimes(1);
		expect(socket.closed_with).toBe(1000);
		expect(camera.stops).toBeGreaterThan(0);
		expect(stream.running).toBe(false);
		expect(sessionStorage.getItem("gradio_splat:test")).toBeNull();
		host.dispatch.mockClear();
		vi.advanceTimersByTime(10 * TICK_MS);
		expect(host.dispatch).not.toHaveBeenCalled();
	});

	test("after a reload, resumes a running stream by itself, or asks for a click", async () => {
		const permission = { state: "granted" };
		vi.stubGlobal("navigator", { permissions: { query: async () => permission } });
		sessionStorage.setItem("gradio_splat:test", "running");
		const first = make_stream();
		await first.stream.resume();
		expect(first.stream.running).toBe(true);
		expect(first.stream.notice).toBe(NOTICES.resumed);
		expect(first.host.dispatch).toHaveBeenCalledWith({ kind: "channel", token: null });
		first.stream.dispose(); // the page goes away: the tab still remembers

		permission.state = "prompt";
		const second = make_stream();
		await second.stream.resume();
		expect(second.stream.running).toBe(false);
		expect(second.stream.restart_offered).toBe(true);
		expect(second.host.dispatch).not.toHaveBeenCalled();
	});

	test("a camera that cannot start says why and starts nothing", async () => {
		camera.start_error = new Error("Camera access was denied: …");
		const { stream, host } = make_stream();
		await stream.start();
		expect(stream.error).toBe("Camera access was denied: …");
		expect(stream.running).toBe(false);
		expect(host.dispatch).not.toHaveBeenCalled();
	});
});
