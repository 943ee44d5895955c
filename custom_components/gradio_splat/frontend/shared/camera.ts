/// <reference types="vite/client" />
// The webcam: getUserMedia into the viewer's preview <video>, and frames grabbed from it as JPEG,
// scaled and encoded in a worker.
import JpegWorker from "./jpeg_worker?worker&inline"; // inlined: the built templates are one file
import type { EncodeReply, EncodeRequest } from "./jpeg_worker";

const CONSTRAINTS: MediaStreamConstraints = { video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false };

/** What went wrong opening the camera, in words for the viewer. */
export function camera_message(error: unknown): string {
	const name = (error as DOMException)?.name;
	if (name === "NotAllowedError" || name === "SecurityError")
		return "Camera access was denied: allow the camera for this site in the browser, then start it again.";
	if (name === "NotFoundError" || name === "OverconstrainedError") return "No camera was found.";
	if (name === "NotReadableError" || name === "AbortError")
		return "The camera could not be started: another application may be using it.";
	return `The camera could not be started: ${(error as Error)?.message ?? error}`;
}

/** A grabbed frame: its JPEG (bytes, or a data URL) and when it was captured (ms, this browser's clock). */
export type Grabbed = { jpeg: ArrayBuffer | string; t: number };

export class Camera {
	private stream: MediaStream | null = null;
	private worker: Worker | null = null;
	private fresh = false; // a frame was presented since the last grab
	private waiting: (() => void) | null = null;

	/** `on_ended`: the camera went away while in use (unplugged, permission revoked). */
	constructor(
		private readonly video: HTMLVideoElement,
		private readonly on_ended: () => void
	) {}

	/** Opens the camera; throws an Error whose message is for the user. */
	async start(): Promise<void> {
		if (!navigator.mediaDevices?.getUserMedia)
			throw new Error("The camera needs a secure page: open the app over https (or on localhost).");
		let stream: MediaStream;
		try {
			stream = await navigator.mediaDevices.getUserMedia(CONSTRAINTS);
		} catch (error) {
			throw new Error(camera_message(error));
		}
		this.stop();
		this.stream = stream;
		for (const track of stream.getVideoTracks()) track.onended = () => this.on_ended();
		this.video.srcObject = stream;
		await this.video.play();
		this.watch(stream);
	}

	stop(): void {
		for (const track of this.stream?.getTracks() ?? []) {
			track.onended = null;
			track.stop();
		}
		this.stream = null;
		this.video.srcObject = null;
		this.fresh = false;
		this.waiting?.(); // its grab then fails: the camera is off
		this.waiting = null;
	}

	dispose(): void {
		this.stop();
		this.worker?.terminate();
		this.worker = null;
	}

	/**
	 * The next camera frame (the current one if it was not grabbed yet) as a JPEG at most
	 * `long_side` px on its long side; never enlarged. One grab at a time: the caller waits for each.
	 */
	async grab(long_side: number, as: "bytes" | "data_url"): Promise<Grabbed> {
		if (!this.fresh && this.stream && "requestVideoFrameCallback" in this.video)
			await new Promise<void>((resolve) => (this.waiting = resolve));
		this.fresh = false;
		if (!this.stream) throw new Error("camera stopped");
		const t = performance.timeOrigin + performance.now();
		const bitmap = await createImageBitmap(this.video);
		const scale = Math.min(1, long_side / Math.max(bitmap.width, bitmap.height));
		const width = Math.max(1, Math.round(bitmap.width * scale));
		const height = Math.max(1, Math.round(bitmap.height * scale));
		return { jpeg: await this.encode({ bitmap, width, height, data_url: as === "data_url" }), t };
	}

	/** Marks each presented frame, so that a grab never sends the same picture twice (without
	 * requestVideoFrameCallback every grab takes the current picture). */
	private watch(stream: MediaStream): void {
		if (!("requestVideoFrameCallback" in this.video)) return;
		const presented = () => {
			if (this.stream !== stream) return;
			this.fresh = true;
			this.waiting?.();
			this.waiting = null;
			this.video.requestVideoFrameCallback(presented);
		};
		this.video.requestVideoFrameCallback(presented);
	}

	private encode(request: EncodeRequest): Promise<ArrayBuffer | string> {
		const worker = (this.worker ??= new JpegWorker());
		return new Promise((resolve, reject) => {
			worker.onmessage = ({ data }: MessageEvent<EncodeReply>) =>
				"error" in data ? reject(new Error(data.error)) : resolve(data.jpeg);
			worker.onerror = (event) => {
				event.preventDefault();
				worker.terminate();
				if (this.worker === worker) this.worker = null; // the next grab starts a new one
				reject(new Error(`JPEG encoder failed: ${event.message || "worker error"}`));
			};
			worker.postMessage(request, [request.bitmap]);
		});
	}
}
