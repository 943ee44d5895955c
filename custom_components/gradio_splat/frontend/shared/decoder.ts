/// <reference types="vite/client" />
// The page's side of the decode worker: one worker per viewer, one promise per frame.
import DecodeWorker from "./decode_worker?worker&inline"; // inlined: the built templates are one file
import type { DecodeReply } from "./decode_worker";
import type { DecodedFrame } from "./wire";

/** A decoded frame and the worker's time decoding it. */
export type Decoded = { frame: DecodedFrame; decode_ms: number };

export class FrameDecoder {
	private worker: Worker | null = null;
	private next_id = 0;
	private pending = new Map<number, { resolve: (f: Decoded) => void; reject: (e: Error) => void }>();

	/** Decodes `bytes` in the worker; the buffer is transferred, so the caller must not use it again. */
	decode(bytes: Uint8Array): Promise<Decoded> {
		const worker = (this.worker ??= this.start());
		const id = this.next_id++;
		return new Promise((resolve, reject) => {
			this.pending.set(id, { resolve, reject });
			worker.postMessage({ id, bytes }, [bytes.buffer as ArrayBuffer]);
		});
	}

	dispose(): void {
		this.stop("decoder disposed");
	}

	private start(): Worker {
		const worker = new DecodeWorker();
		worker.onmessage = ({ data }: MessageEvent<DecodeReply>) => this.settle(data);
		// A worker that dies (out of memory, say) would leave its frames pending for ever, and the
		// viewer's one fetch in flight with them: fail them, and start afresh on the next frame.
		worker.onerror = (event) => {
			event.preventDefault();
			this.stop(`frame decoder failed: ${event.message || "worker error"}`);
		};
		return worker;
	}

	private stop(reason: string): void {
		this.worker?.terminate();
		this.worker = null;
		for (const { reject } of this.pending.values()) reject(new Error(reason));
		this.pending.clear();
	}

	private settle(reply: DecodeReply): void {
		const request = this.pending.get(reply.id);
		if (!request) return;
		this.pending.delete(reply.id);
		if ("error" in reply) request.reject(new Error(reply.error));
		else request.resolve({ frame: reply.frame, decode_ms: reply.decode_ms });
	}
}
