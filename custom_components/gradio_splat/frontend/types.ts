// Mirrors SplatData in backend/gradio_splat/splat_viewer.py, key for key.
export interface SplatFile {
	path: string;
	url?: string | null; // Gradio-served (and on private Spaces, signed) URL: fetch it verbatim
	size?: number | null;
	orig_name?: string | null;
}

/** Where a stream's live channel is (docs/live-channel.md); sent by the server. */
export interface ChannelInfo {
	token: string;
	path: string; // the WebSocket route, relative to the app's root
	sizes: number[]; // capture sizes (long side, px) the server may ask for, finest first
	max_upload: number; // the largest camera message the server takes, in bytes
}

export interface SplatData {
	file?: SplatFile | null;
	/** "frame": a wire frame file; "ply", "spz", "splat": splat files; "channel": the live channel's
	 * control (server → browser: `channel`; browser → server: `token`); "camera": a webcam frame
	 * sent through Gradio's stream when the channel is unavailable; "clip": a clip file to replay
	 * (docs/clip-format.md). */
	kind: "frame" | "ply" | "spz" | "splat" | "channel" | "camera" | "clip";
	num_splats?: number | null;
	frame_id?: number | null;
	channel?: ChannelInfo | null;
	token?: string | null;
	jpeg?: string | null; // a data URL
	id?: number | null;
	t?: number | null; // capture time, ms on the browser's clock
}

/** What the viewer sends as its value in its stream events. */
export type StreamPayload =
	| { kind: "channel"; token: string | null }
	| { kind: "camera"; jpeg: string; id: number; t: number };

// Mirrors the SplatViewer constructor arguments that reach the browser.
export interface SplatViewerProps {
	value: SplatData | null;
	height: number | string;
	show_stats: boolean;
	webcam: boolean;
}

export interface SplatViewerEvents {
	change: never;
	clear_status: any;
	stream: never;
	close_stream: never;
}
