/// <reference types="vite/client" />
// The page's side of the channel's worker: a Channel, as LiveStream uses it, run in its own worker.
import ChannelWorker from "./channel_worker?worker&inline"; // inlined: the built templates are one file
import type { FromWorker, ToWorker } from "./channel_worker";
import type { CameraHeader, ChannelHandlers } from "./channel";

export class RemoteChannel {
	private readonly worker = new ChannelWorker();

	constructor(url: string, token: string, on: ChannelHandlers) {
		this.worker.onmessage = ({ data }: MessageEvent<FromWorker>) =>
			(on[data.type] as (...args: unknown[]) => void)(...data.args);
		// A worker that dies takes the socket with it: as if WebSockets were blocked, the stream goes
		// on through Gradio.
		this.worker.onerror = (event) => {
			event.preventDefault();
			console.error("gradio_splat: live channel worker:", event.message);
			this.worker.terminate();
			on.unavailable();
		};
		this.post({ type: "open", url, token });
	}

	/** Sends a camera frame (its JPEG is transferred). One sent while no socket is open is lost;
	 * `ready` follows once one is. */
	send_frame(header: CameraHeader, jpeg: ArrayBuffer): void {
		this.post({ type: "frame", header, jpeg }, [jpeg]);
	}

	/** Closes the socket (code 1000); the worker then ends. */
	close(): void {
		this.worker.onmessage = null;
		this.post({ type: "close" });
	}

	private post(message: ToWorker, transfer: Transferable[] = []): void {
		this.worker.postMessage(message, transfer);
	}
}
