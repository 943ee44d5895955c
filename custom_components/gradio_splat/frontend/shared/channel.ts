// The browser's end of the live channel's WebSocket (docs/live-channel.md, "Frames"): framing,
// the hello, pings, acks, upload times, and reconnecting. It runs in a worker (channel_worker.ts),
// so that the link's timings are the network's, not the page's renders'. Flow control (when to send)
// and what the messages mean are LiveStream's.

/** Header of a camera frame, browser → server (the channel adds `up_ms`). */
export interface CameraHeader {
	id: number;
	t: number; // capture time, ms on this browser's clock (performance.timeOrigin + now())
	size: number; // the capture size it was scaled to (at most: never enlarged)
}

/** Header of a result, server → browser. */
export interface ResultHeader {
	id: number; // the camera frame's id
	t: number; // its capture time, echoed
	size: number; // capture size to use from now
	level: number; // index of `size` in the channel's sizes
	dropped_up: number;
	dropped_down: number;
	server_ms: number;
	queued?: boolean; // one of a list of deltas (scan mode): to be applied in order, none dropped
}

export interface ChannelHandlers {
	/** The socket is (again) open and the server wants frames `size` px on their long side. */
	ready(size: number): void;
	/** Camera frame `id` is being processed: the next one may be sent. */
	taken(id: number): void;
	/** A result: its header and its wire frame, a view into the message's buffer (which the
	 * handler may transfer); it is acknowledged right after. */
	result(header: ResultHeader, frame: Uint8Array): void;
	/** The server refused a camera message or skipped a frame; the session goes on. */
	error(message: string, id: number | null): void;
	/** The open socket closed unexpectedly: the channel is reconnecting with the same token. */
	lost(): void;
	/** The first socket did not open in time: WebSockets are blocked on the way. */
	unavailable(): void;
	/** The server does not know the token (close code 4403): it restarted, or the token expired. */
	refused(): void;
}

/** Time the first socket gets to open before the viewer falls back to Gradio's stream. */
export const OPEN_TIMEOUT_MS = 3000;
/** Waits between reconnection attempts: doubled from the first to the last, then kept. */
export const RETRY_MS = [500, 4000] as const;
const REFUSED = 4403;

/** `u32 little-endian header length · UTF-8 JSON header · payload`. */
export function pack(header: object, payload: Uint8Array): Uint8Array<ArrayBuffer> {
	const json = new TextEncoder().encode(JSON.stringify(header));
	const message = new Uint8Array(4 + json.length + payload.length);
	new DataView(message.buffer).setUint32(0, json.length, true);
	message.set(json, 4);
	message.set(payload, 4 + json.length);
	return message;
}

export function unpack<H>(message: ArrayBuffer): { header: H; payload: Uint8Array } {
	const length = message.byteLength >= 4 ? new DataView(message).getUint32(0, true) : Infinity;
	if (4 + length > message.byteLength) throw new Error("live channel: a message shorter than its header");
	const header = JSON.parse(new TextDecoder().decode(new Uint8Array(message, 4, length))) as H;
	return { header, payload: new Uint8Array(message, 4 + length) };
}

/** The channel's WebSocket URL: `path` under the app's root, ws or wss as the root is http or https. */
export function channel_url(root: string, path: string): string {
	const url = new URL(path, root.endsWith("/") ? root : `${root}/`);
	url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
	return url.href;
}

/** One token's socket, reopened after an unexpected close until `close()`. */
export class Channel {
	private socket: WebSocket | null = null;
	private opened = false; // some socket of this channel opened: a later failure is a loss, not a block
	private closed = false;
	private retries = 0;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private upload: { id: number; sent: number } | null = null; // the camera frame not yet received
	private up_ms: number | null = null; // the last upload's send → received time

	constructor(
		private readonly url: string,
		private readonly token: string,
		private readonly on: ChannelHandlers
	) {
		this.connect();
	}

	/** Sends a camera frame; false if no socket is open (the frame is lost, `ready` will follow). */
	send_frame(header: CameraHeader, jpeg: ArrayBuffer): boolean {
		if (this.socket?.readyState !== WebSocket.OPEN) return false;
		this.socket.send(pack({ ...header, up_ms: this.up_ms }, new Uint8Array(jpeg)));
		this.upload = { id: header.id, sent: performance.now() };
		return true;
	}

	close(): void {
		this.closed = true;
		clearTimeout(this.timer);
		this.socket?.close(1000);
		this.socket = null;
	}

	private connect(): void {
		let socket: WebSocket;
		try {
			socket = new WebSocket(this.url);
		} catch (error) {
			// A page or extension that forbids WebSockets (or a malformed root) cannot use the channel.
			console.warn("gradio_splat: live channel:", error);
			return this.attempt_failed();
		}
		this.socket = socket;
		socket.binaryType = "arraybuffer";
		// A socket that neither opens nor fails (a proxy holding the upgrade) counts as failed.
		this.timer = setTimeout(() => {
			socket.onclose = null;
			socket.close();
			this.attempt_failed();
		}, OPEN_TIMEOUT_MS);
		socket.onopen = () => {
			clearTimeout(this.timer);
			this.opened = true;
			socket.send(JSON.stringify({ type: "hello", token: this.token }));
		};
		socket.onmessage = ({ data }) => {
			if (typeof data === "string") this.on_text(data);
			else this.on_binary(data as ArrayBuffer);
		};
		socket.onclose = ({ code }) => {
			if (this.closed) return;
			if (code !== REFUSED) return this.attempt_failed();
			this.close();
			this.on.refused();
		};
	}

	/** The socket closed, or did not open in time: before any socket opened, WebSockets are blocked
	 * on the way (a proxy that drops upgrades does either); after, the connection was lost. */
	private attempt_failed(): void {
		clearTimeout(this.timer);
		this.socket = null;
		if (!this.opened) {
			this.close();
			return this.on.unavailable();
		}
		if (this.retries === 0) this.on.lost();
		const wait = Math.min(RETRY_MS[0] * 2 ** this.retries, RETRY_MS[1]);
		this.retries += 1;
		this.timer = setTimeout(() => this.connect(), wait);
	}

	private on_text(text: string): void {
		let message: { type?: string; size?: number; id?: number; message?: string };
		try {
			message = JSON.parse(text);
		} catch {
			return console.warn("gradio_splat: live channel: a message that is not JSON");
		}
		if (message.type === "ready") {
			this.retries = 0; // only a socket the server took counts as reconnected
			this.on.ready(Number(message.size));
		} else if (message.type === "ping") {
			this.socket?.send(JSON.stringify({ type: "pong", id: message.id })); // at once: it times the link
		} else if (message.type === "received") {
			const upload = this.upload;
			if (upload && upload.id === message.id) this.up_ms = performance.now() - upload.sent;
		} else if (message.type === "taken") {
			this.on.taken(Number(message.id));
		} else if (message.type === "error") {
			this.on.error(String(message.message), typeof message.id === "number" ? message.id : null);
		} // other types are for later versions: ignored
	}

	private on_binary(data: ArrayBuffer): void {
		let result;
		try {
			result = unpack<ResultHeader>(data);
		} catch (error) {
			return console.warn("gradio_splat:", error);
		}
		const { id } = result.header;
		this.on.result(result.header, result.payload);
		this.socket?.send(JSON.stringify({ type: "ack", id })); // at once: the send → ack time is the link's
	}
}
