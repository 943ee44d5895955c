// The live channel's worker: the socket lives here, off the page's thread, so that a long render
// (a slow GPU sorting splats, a busy page) never delays an ack, a pong or the upload's 'received',
// which the server reads as the link's speed.
import { Channel, type CameraHeader, type ChannelHandlers } from "./channel";

export type ToWorker =
	| { type: "open"; url: string; token: string }
	| { type: "frame"; header: CameraHeader; jpeg: ArrayBuffer }
	| { type: "close" };

/** A ChannelHandlers call, relayed: the handler's name and its arguments. */
export type FromWorker = { [K in keyof ChannelHandlers]: { type: K; args: Parameters<ChannelHandlers[K]> } }[keyof ChannelHandlers];

let channel: Channel | null = null;

function relay<K extends keyof ChannelHandlers>(type: K) {
	return (...args: Parameters<ChannelHandlers[K]>) => self.postMessage({ type, args } as FromWorker);
}

const handlers: ChannelHandlers = {
	ready: relay("ready"),
	taken: relay("taken"),
	error: relay("error"),
	lost: relay("lost"),
	unavailable: relay("unavailable"),
	refused: relay("refused"),
	// The frame is a view into the whole message's buffer: transferred, not copied.
	result: (header, frame) =>
		self.postMessage({ type: "result", args: [header, frame] } satisfies FromWorker, { transfer: [frame.buffer as ArrayBuffer] })
};

self.onmessage = ({ data }: MessageEvent<ToWorker>) => {
	if (data.type === "open") channel = new Channel(data.url, data.token, handlers);
	else if (data.type === "frame") channel?.send_frame(data.header, data.jpeg);
	else {
		channel?.close();
		self.close(); // one worker a channel
	}
};
