// The decode worker: a frame's bytes in (transferred), its decoded planes out (transferred), so
// inflating, undoing the predictor and decoding the JPEG never block the page.
import { decode_frame, type DecodedFrame } from "./wire";

export type DecodeRequest = { id: number; bytes: Uint8Array };
export type DecodeReply = { id: number; frame: DecodedFrame } | { id: number; error: string };

self.onmessage = async ({ data }: MessageEvent<DecodeRequest>) => {
	try {
		const frame = await decode_frame(data.bytes);
		self.postMessage({ id: data.id, frame } satisfies DecodeReply, { transfer: [frame.planes.buffer] });
	} catch (e) {
		self.postMessage({ id: data.id, error: (e as Error).message } satisfies DecodeReply);
	}
};
