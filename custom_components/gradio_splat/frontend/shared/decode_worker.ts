// The decode worker: a frame's bytes in (transferred), its decoded planes out (transferred), so
// inflating, undoing the predictor and decoding the JPEG never block the page.
import { decode_frame, type DecodedFrame } from "./wire";

export type DecodeRequest = { id: number; bytes: Uint8Array };
export type DecodeReply = { id: number; frame: DecodedFrame; decode_ms: number } | { id: number; error: string };

self.onmessage = async ({ data }: MessageEvent<DecodeRequest>) => {
	try {
		const t0 = performance.now();
		const frame = await decode_frame(data.bytes);
		const reply: DecodeReply = { id: data.id, frame, decode_ms: performance.now() - t0 };
		self.postMessage(reply, { transfer: [frame.planes.buffer] });
	} catch (e) {
		self.postMessage({ id: data.id, error: (e as Error).message } satisfies DecodeReply);
	}
};
