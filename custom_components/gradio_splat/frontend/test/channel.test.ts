import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { Channel, OPEN_TIMEOUT_MS, channel_url, pack, unpack, type ChannelHandlers } from "../shared/channel";
import { FakeSocket } from "./fake_socket";

describe("framing", () => {
	test("packs a header and a payload, and unpacks them", () => {
		const message = pack({ id: 3, t: 1.5 }, new Uint8Array([0xff, 0xd8, 0xff]));
		const length = new DataView(message.buffer).getUint32(0, true);
		expect(new TextDecoder().decode(message.subarray(4, 4 + length))).toBe('{"id":3,"t":1.5}');
		const { header, payload } = unpack<{ id: number }>(message.buffer);
		expect(header.id).toBe(3);
		expect([...payload]).toEqual([0xff, 0xd8, 0xff]);
	});
	test("refuses a message shorter than its header says", () => {
		const message = pack({ id: 3 }, new Uint8Array());
		expect(() => unpack(message.buffer.slice(0, 6))).toThrow(/shorter than its header/);
		expect(() => unpack(new ArrayBuffer(2))).toThrow(/shorter than its header/);
	});
});

describe("channel_url", () => {
	test("is the path under the app's root, ws for http and wss for https", () => {
		const path = "gradio_api/gradio_splat/live";
		expect(channel_url("http://127.0.0.1:7860", path)).toBe("ws://127.0.0.1:7860/gradio_api/gradio_splat/live");
		expect(channel_url("https://x.hf.space/", path)).toBe("wss://x.hf.space/gradio_api/gradio_splat/live");
		expect(channel_url("https://host/apps/splat", path)).toBe("wss://host/apps/splat/gradio_api/gradio_splat/live");
	});
});

describe("Channel", () => {
	let on: { [K in keyof ChannelHandlers]: ReturnType<typeof vi.fn> } & ChannelHandlers;
	beforeEach(() => {
		vi.useFakeTimers();
		FakeSocket.all = [];
		vi.stubGlobal("WebSocket", FakeSocket);
		on = <typeof on>{
			ready: vi.fn(),
			taken: vi.fn(),
			result: vi.fn(),
			error: vi.fn(),
			lost: vi.fn(),
			unavailable: vi.fn(),
			refused: vi.fn()
		};
	});
	afterEach(() => {
		vi.useRealTimers();
		vi.unstubAllGlobals();
	});

	test("says hello with its token, answers pings, and passes the server's messages on", () => {
		const channel = new Channel("ws://x/live", "t0k3n", on);
		const socket = FakeSocket.last;
		expect(socket.binaryType).toBe("arraybuffer");
		socket.open();
		expect(socket.texts()).toEqual([{ type: "hello", token: "t0k3n" }]);
		socket.text({ type: "ready", size: 392 });
		socket.text({ type: "ping", id: 7 });
		expect(socket.texts()[1]).toEqual({ type: "pong", id: 7 });
		socket.text({ type: "taken", id: 0 });
		socket.text({ type: "error", message: "Camera message refused: no JPEG", id: 3 });
		socket.text({ type: "error", message: "frame skipped" });
		socket.text({ type: "from a later version" });
		expect(on.ready).toHaveBeenCalledWith(392);
		expect(on.taken).toHaveBeenCalledWith(0);
		expect(on.error.mock.calls).toEqual([["Camera message refused: no JPEG", 3], ["frame skipped", null]]);
		channel.close();
		expect(socket.closed_with).toBe(1000);
	});

	test("acknowledges each result at once, after handing it on", () => {
		new Channel("ws://x/live", "t", on);
		const socket = FakeSocket.last;
		socket.open();
		on.result.mockImplementation(() => expect(socket.texts().at(-1)?.type).not.toBe("ack"));
		socket.result({ id: 4, t: 12.5, size: 308, level: 2 }, new Uint8Array([1, 2, 3]));
		const [header, frame] = on.result.mock.calls[0];
		expect(header).toEqual({ id: 4, t: 12.5, size: 308, level: 2 });
		expect([...frame]).toEqual([1, 2, 3]);
		expect(socket.texts().at(-1)).toEqual({ type: "ack", id: 4 });
	});

	test("tells the server each upload's send → received time with the next frame", () => {
		const channel = new Channel("ws://x/live", "t", on);
		const socket = FakeSocket.last;
		socket.open();
		expect(channel.send_frame({ id: 0, t: 2, size: 392 }, new Uint8Array([0xff, 0xd8]).buffer)).toBe(true);
		vi.advanceTimersByTime(30);
		socket.text({ type: "received", id: 0 });
		vi.advanceTimersByTime(100); // waiting for "taken" is not upload time
		channel.send_frame({ id: 1, t: 3, size: 392 }, new Uint8Array([0xff, 0xd8]).buffer);
		const sent = socket.binaries().map((m) => unpack<any>(m.buffer as ArrayBuffer));
		expect(sent.map((m) => m.header)).toEqual([
			{ id: 0, t: 2, size: 392, up_ms: null },
			{ id: 1, t: 3, size: 392, up_ms: 30 }
		]);
		expect([...sent[1].payload]).toEqual([0xff, 0xd8]);
	});

	test("a socket that does not open in time means WebSockets are blocked", () => {
		new Channel("ws://x/live", "t", on);
		vi.advanceTimersByTime(OPEN_TIMEOUT_MS - 1);
		expect(on.unavailable).not.toHaveBeenCalled();
		vi.advanceTimersByTime(1);
		expect(on.unavailable).toHaveBeenCalledTimes(1);
		expect(FakeSocket.last.closed_with).not.toBeNull();
		vi.advanceTimersByTime(60_000);
		expect(FakeSocket.all).toHaveLength(1); // no retries: the viewer falls back
	});

	test("so does a first socket that fails, or one that cannot even be made", () => {
		new Channel("ws://x/live", "t", on);
		FakeSocket.last.drop();
		expect(on.unavailable).toHaveBeenCalledTimes(1);
		vi.stubGlobal("WebSocket", class {
			constructor() {
				throw new DOMException("blocked", "SecurityError");
			}
		});
		const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
		new Channel("ws://x/live", "t", on);
		expect(on.unavailable).toHaveBeenCalledTimes(2);
		expect(warn).toHaveBeenCalled();
	});

	test("reconnects after a loss with the same token, waiting 0.5, 1, 2, then 4 s", () => {
		new Channel("ws://x/live", "t0k3n", on);
		FakeSocket.last.open();
		FakeSocket.last.text({ type: "ready", size: 640 });
		FakeSocket.last.drop();
		expect(on.lost).toHaveBeenCalledTimes(1);
		const waits = [500, 1000, 2000, 4000, 4000];
		for (const wait of waits) {
			const sockets = FakeSocket.all.length;
			vi.advanceTimersByTime(wait - 1);
			expect(FakeSocket.all).toHaveLength(sockets);
			vi.advanceTimersByTime(1);
			expect(FakeSocket.all).toHaveLength(sockets + 1);
			FakeSocket.last.drop(); // the server is still down
		}
		expect(on.lost).toHaveBeenCalledTimes(1); // said once
		expect(on.unavailable).not.toHaveBeenCalled(); // it worked before: not a blocked network
		vi.advanceTimersByTime(4000);
		FakeSocket.last.open();
		expect(FakeSocket.last.texts()).toEqual([{ type: "hello", token: "t0k3n" }]);
		FakeSocket.last.text({ type: "ready", size: 392 });
		FakeSocket.last.drop(); // a new loss starts from the shortest wait again
		expect(on.lost).toHaveBeenCalledTimes(2);
		vi.advanceTimersByTime(500);
		expect(FakeSocket.all).toHaveLength(waits.length + 3);
	});

	test("a reconnection that hangs is given up after the open timeout and retried", () => {
		new Channel("ws://x/live", "t", on);
		FakeSocket.last.open();
		FakeSocket.last.drop();
		vi.advanceTimersByTime(500);
		const hanging = FakeSocket.last;
		vi.advanceTimersByTime(OPEN_TIMEOUT_MS);
		expect(hanging.closed_with).not.toBeNull();
		vi.advanceTimersByTime(1000);
		expect(FakeSocket.last).not.toBe(hanging);
	});

	test("a refused token (4403) is reported, not retried", () => {
		new Channel("ws://x/live", "old", on);
		FakeSocket.last.open();
		FakeSocket.last.drop(4403);
		expect(on.refused).toHaveBeenCalledTimes(1);
		expect(on.lost).not.toHaveBeenCalled();
		vi.advanceTimersByTime(60_000);
		expect(FakeSocket.all).toHaveLength(1);
	});

	test("a closed channel reports nothing and does not reconnect", () => {
		const channel = new Channel("ws://x/live", "t", on);
		FakeSocket.last.open();
		channel.close();
		FakeSocket.last.drop();
		vi.advanceTimersByTime(60_000);
		expect(FakeSocket.all).toHaveLength(1);
		expect(on.lost).not.toHaveBeenCalled();
		expect(channel.send_frame({ id: 0, t: 0, size: 1 }, new ArrayBuffer(0))).toBe(false);
	});
});
