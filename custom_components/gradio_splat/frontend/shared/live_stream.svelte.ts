// A webcam stream of the viewer (docs/live-channel.md): the camera, the live channel (or Gradio's
// stream when the channel cannot open), the settings ticks, and what the stats overlay shows.
import type { ChannelInfo, StreamPayload } from "../types";
import { Camera, type Grabbed } from "./camera";
import { channel_url, type ChannelHandlers } from "./channel";
import { RemoteChannel } from "./remote_channel";

/** Settings reach the running stream through Gradio on these ticks. */
export const TICK_MS = 250;
/** In the fallback, a frame whose result has not come by then is followed by the next one (the
 * server skips frames of a frozen view, and answers nothing for them). */
export const FALLBACK_WAIT_MS = 3000;
const SHORT_NOTICE_MS = 5000;
const GRAB_RETRY_MS = 250;

export const NOTICES = {
	fallback: "Live channel unavailable (WebSockets blocked?): using Gradio's stream, slower.",
	lost: "Connection lost, reconnecting…",
	resumed: "Reconnected after the server restarted",
	restart: "The stream stopped: click to restart",
	camera_ended: "The camera stopped."
} as const;

export type Transport = "channel" | "fallback";

/** What the stream needs from the viewer and from Gradio. */
export interface LiveStreamHost {
	/** The app's root URL (the page's origin if Gradio gives none). */
	root: string;
	/** sessionStorage key remembering that the stream runs, so that a reload resumes it. */
	storage_key: string;
	/** Dispatches the viewer's stream event with `payload` as the viewer's value. */
	dispatch(payload: StreamPayload): void;
	/** Dispatches the viewer's close_stream event. */
	close(): void;
	/** A result's wire frame for the viewer's decoder; `t` is its camera frame's capture time. */
	show(frame: Uint8Array, t: number): void;
	/** A scan delta (a queued result): to be applied after the previous one, never dropped. */
	delta(frame: Uint8Array): void;
	/** Sets test hooks (data attributes of the canvas). */
	hooks(values: Record<string, string | number>): void;
}

export class LiveStream {
	running = $state(false);
	starting = $state(false); // the camera is being opened
	notice = $state("");
	error = $state(""); // the camera's, for the user
	restart_offered = $state(false); // a reload found the stream running, but the camera needs a click
	transport = $state<Transport | null>(null);
	// For the stats overlay, read at its refresh.
	size = 0; // capture size (long side, px)
	level = -1; // index of `size` in the channel's sizes; -1 before the first result
	levels = 0;
	dropped_up = 0;
	dropped_down = 0;
	delivered = 0; // results handed to the decoder

	private readonly camera: Camera;
	private info: ChannelInfo | null = null;
	private channel: RemoteChannel | null = null;
	private run = 0; // bumped on every stop: work begun for an older run is dropped
	private ready = false; // the socket is open and the server said which size it wants
	private grabbing = false;
	private next_id = 0;
	private in_flight: number | null = null; // the id of the camera frame not yet taken
	private awaiting: { t: number } | null = null; // the fallback's frame whose result is due
	private ticks: ReturnType<typeof setInterval> | undefined;
	private fallback_timer: ReturnType<typeof setTimeout> | undefined;
	private notice_timer: ReturnType<typeof setTimeout> | undefined;

	constructor(
		video: HTMLVideoElement,
		private readonly host: LiveStreamHost
	) {
		this.camera = new Camera(video, () => this.camera_ended());
	}

	/** Opens the camera and asks the server for a channel. */
	async start(resumed = false): Promise<void> {
		if (this.running || this.starting) return;
		const run = this.run;
		this.error = "";
		this.restart_offered = false;
		this.starting = true;
		try {
			await this.camera.start();
		} catch (error) {
			this.error = (error as Error).message;
			return;
		} finally {
			this.starting = false;
		}
		if (run !== this.run) return this.camera.stop(); // disposed while the camera opened
		this.running = true;
		this.remember(true);
		this.say(resumed ? NOTICES.resumed : "", SHORT_NOTICE_MS);
		this.request_channel();
	}

	/** After a page load: restarts a stream the tab was running, by itself if the camera permission
	 * allows, else offers a button. */
	async resume(): Promise<void> {
		if (!this.remembered()) return;
		const permission = await navigator.permissions
			?.query({ name: "camera" as PermissionName })
			.then((status) => status.state)
			.catch(() => "prompt");
		if (permission === "granted") await this.start(true);
		else this.restart_offered = true;
	}

	/** The user's stop: the stream ends, on the server too. */
	stop(): void {
		if (!this.running) return;
		this.remember(false);
		this.halt();
		this.host.close();
	}

	/** The viewer goes away (unmount): everything stops, the tab still remembers a running stream. */
	dispose(): void {
		this.halt();
		this.camera.dispose();
		clearTimeout(this.notice_timer);
	}

	/** A channel value from the server: the channel to open (a new token replaces the old one). */
	on_channel(info: ChannelInfo | null): void {
		if (!this.running || !info || info.token === this.info?.token || this.transport === "fallback") return;
		this.channel?.close();
		this.info = info;
		this.levels = info.sizes.length;
		this.size ||= info.sizes[0];
		this.ready = false;
		this.channel = new RemoteChannel(channel_url(this.host.root, info.path), info.token, this.handlers);
		this.ticks ??= setInterval(() => this.tick(), TICK_MS);
	}

	/** A frame value from the server. In the fallback it answers the frame sent last: returns that
	 * frame's capture time and sends the next; otherwise NaN. */
	on_frame_value(): number {
		if (this.transport !== "fallback" || !this.awaiting) return NaN;
		const { t } = this.awaiting;
		this.awaiting = null;
		this.delivered += 1;
		this.set_hooks();
		void this.send_fallback_frame();
		return t;
	}

	private readonly handlers: ChannelHandlers = {
		ready: (size) => {
			this.transport = "channel";
			this.ready = true;
			this.in_flight = null; // a frame sent on a lost socket is not coming back
			this.size = size;
			if (this.notice === NOTICES.lost) this.say("");
			this.set_hooks();
			void this.pump();
		},
		taken: (id) => {
			if (this.in_flight !== id) return;
			this.in_flight = null;
			void this.pump();
		},
		result: (header, frame) => {
			if (header.queued) this.host.delta(frame);
			else this.host.show(frame, header.t); // acknowledged by the channel on receipt
			this.delivered += 1;
			this.size = header.size;
			this.level = header.level;
			this.dropped_up = header.dropped_up;
			this.dropped_down = header.dropped_down;
			this.set_hooks();
		},
		error: (message, id) => {
			console.warn("gradio_splat: live channel:", message);
			this.say(`⚠️ ${message}`, SHORT_NOTICE_MS);
			if (id !== null && this.in_flight === id) {
				this.in_flight = null; // a refused frame is not taken
				void this.pump();
			}
		},
		lost: () => {
			this.ready = false;
			this.say(NOTICES.lost);
		},
		unavailable: () => {
			this.channel?.close();
			this.channel = null;
			this.transport = "fallback";
			this.say(NOTICES.fallback);
			this.set_hooks();
			void this.send_fallback_frame();
		},
		refused: () => {
			// The server restarted or the token expired: a new stream gets a new token.
			this.channel?.close();
			this.channel = null;
			this.ready = false;
			this.request_channel();
		}
	};

	private request_channel(): void {
		this.info = null;
		this.host.dispatch({ kind: "channel", token: null });
	}

	private tick(): void {
		// In the fallback every frame carries the settings.
		if (this.info && this.transport !== "fallback") this.host.dispatch({ kind: "channel", token: this.info.token });
	}

	/** Sends the next camera frame once the previous one was taken: at most one in flight. */
	private async pump(): Promise<void> {
		if (!this.ready || this.in_flight !== null || this.grabbing) return;
		const frame = await this.grab("bytes");
		if (!frame || !this.ready || !this.channel) return; // lost meanwhile: `ready` pumps again
		const id = this.next_id++;
		this.channel.send_frame({ id, t: frame.t, size: frame.size }, frame.jpeg as ArrayBuffer);
		this.in_flight = id;
	}

	/** The fallback: one frame through Gradio's stream, the next after its result or a wait. */
	private async send_fallback_frame(): Promise<void> {
		clearTimeout(this.fallback_timer);
		if (this.grabbing || this.transport !== "fallback") return;
		const frame = await this.grab("data_url");
		if (!frame || this.transport !== "fallback") return;
		const id = this.next_id++;
		this.awaiting = { t: frame.t };
		this.host.dispatch({ kind: "camera", jpeg: frame.jpeg as string, id, t: frame.t });
		this.fallback_timer = setTimeout(() => this.send_fallback_frame(), FALLBACK_WAIT_MS);
	}

	/** The next camera frame at the current size (and that size); null if the stream stopped
	 * meanwhile or the grab failed (then it is retried shortly). */
	private async grab(as: "bytes" | "data_url"): Promise<(Grabbed & { size: number }) | null> {
		const run = this.run;
		const size = this.size;
		this.grabbing = true;
		try {
			const frame = await this.camera.grab(size, as);
			if (run !== this.run) return null;
			this.error = "";
			return { ...frame, size };
		} catch (error) {
			if (run !== this.run) return null;
			this.error = `Camera frame: ${(error as Error).message}`;
			setTimeout(() => (as === "bytes" ? this.pump() : this.send_fallback_frame()), GRAB_RETRY_MS);
			return null;
		} finally {
			if (run === this.run) this.grabbing = false;
		}
	}

	private camera_ended(): void {
		this.stop();
		this.error = NOTICES.camera_ended;
	}

	private halt(): void {
		this.run += 1;
		this.running = false;
		this.channel?.close();
		this.channel = null;
		clearInterval(this.ticks);
		this.ticks = undefined;
		clearTimeout(this.fallback_timer);
		this.camera.stop();
		this.info = null;
		this.ready = false;
		this.grabbing = false;
		this.in_flight = null;
		this.awaiting = null;
		this.transport = null;
		this.say("");
		this.set_hooks();
	}

	/** Shows `text`; for `ms` milliseconds if given, else until the next notice. */
	private say(text: string, ms = 0): void {
		clearTimeout(this.notice_timer);
		this.notice = text;
		if (text && ms) this.notice_timer = setTimeout(() => this.say(""), ms);
		this.host.hooks({ notice: text });
	}

	private set_hooks(): void {
		this.host.hooks({
			transport: this.transport ?? "",
			size: this.size,
			level: this.level,
			delivered: this.delivered,
			droppedUp: this.dropped_up,
			droppedDown: this.dropped_down
		});
	}

	// sessionStorage can be unavailable (storage blocked for the site): then a reload does not resume.
	private remember(running: boolean): void {
		try {
			if (running) sessionStorage.setItem(this.host.storage_key, "running");
			else sessionStorage.removeItem(this.host.storage_key);
		} catch {}
	}

	private remembered(): boolean {
		try {
			return sessionStorage.getItem(this.host.storage_key) === "running";
		} catch {
			return false;
		}
	}
}
