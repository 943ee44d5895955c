// Mirrors SplatData in backend/gradio_splat/splat_viewer.py, key for key.
export interface SplatFile {
	path: string;
	url?: string | null; // Gradio-served (and on private Spaces, signed) URL: fetch it verbatim
	size?: number | null;
	orig_name?: string | null;
}

export interface SplatData {
	file: SplatFile;
	kind: "frame" | "ply" | "spz" | "splat";
	num_splats?: number | null;
	frame_id?: number | null;
}

// Mirrors the SplatViewer constructor arguments that reach the browser.
export interface SplatViewerProps {
	value: SplatData | null;
	height: number | string;
	show_stats: boolean;
}

export interface SplatViewerEvents {
	change: never;
	clear_status: any;
}
