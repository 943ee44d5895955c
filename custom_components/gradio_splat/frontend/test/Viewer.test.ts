// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { flushSync, mount, unmount } from "svelte";
import Viewer from "../shared/Viewer.svelte";
import { LiveSplats } from "../shared/live_splats";
import { fixture_bytes, modified } from "./fixtures";
import { reactive_props } from "./props.svelte";

// jsdom has no Worker: decode on this thread, with the worker's own decode_frame.
vi.mock("../shared/decoder", async () => {
	const { decode_frame } = await import("../shared/wire");
	const decode = async (bytes: Uint8Array) => ({ frame: await decode_frame(bytes), decode_ms: 0 });
	return { FrameDecoder: class { decode = decode; dispose = vi.fn(); } };
});
const frame_bytes = (frame_id: number) => modified("points_lossless", (e) => (e.frame_id = frame_id));

// jsdom has no WebGL: fake the two renderers, keep the rest of three and Spark real.
const created: { renderer?: any; spark?: any } = {};
vi.mock("three", async (original) => {
	const three = await original<typeof import("three")>();
	class FakeWebGLRenderer {
		loop: ((t: number) => void) | null = null;
		constructor() {
			created.renderer = this;
		}
		setPixelRatio() {}
		setSize() {}
		setAnimationLoop(loop: ((t: number) => void) | null) {
			this.loop = loop;
		}
		render() {}
		initTexture() {}
		dispose = vi.fn();
		forceContextLoss = vi.fn();
	}
	return { ...three, WebGLRenderer: FakeWebGLRenderer };
});
vi.mock("@sparkjsdev/spark", async (original) => {
	const three = await import("three");
	const spark = await original<typeof import("@sparkjsdev/spark")>();
	class FakeSparkRenderer extends three.Mesh {
		activeSplats = 0;
		constructor() {
			super(new three.BufferGeometry(), new three.MeshBasicMaterial());
			vi.spyOn(this.geometry, "dispose");
			vi.spyOn(this.material as any, "dispose");
			created.spark = this;
		}
		dispose = vi.fn();
	}
	return { ...spark, SparkRenderer: FakeSparkRenderer };
});

class Observer {
	observe() {}
	disconnect() {}
}

describe("Viewer", () => {
	beforeEach(() => {
		vi.stubGlobal("ResizeObserver", Observer);
		vi.stubGlobal("IntersectionObserver", Observer);
		const bytes = frame_bytes(7);
		vi.stubGlobal("fetch", vi.fn(async () => new Response(new Uint8Array(bytes))));
	});
	afterEach(() => {
		vi.unstubAllGlobals();
		vi.restoreAllMocks();
	});

	test("shows a frame, then disposes everything on unmount", async () => {
		const dispose_live = vi.spyOn(LiveSplats.prototype, "dispose");
		const target = document.body.appendChild(document.createElement("div"));
		const value = { file: { path: "f.bin", url: "http://x/gradio_api/file=f.bin" }, kind: "frame" };
		const viewer = mount(Viewer, { target, props: { value, height: "240px", show_stats: true } });
		flushSync();
		const canvas = target.querySelector("canvas")!;
		await vi.waitFor(() => expect(canvas.dataset.shown).toBe("1"));
		expect(fetch).toHaveBeenCalledWith("http://x/gradio_api/file=f.bin");
		expect(canvas.dataset.frameId).toBe("7");
		expect(canvas.dataset.error).toBe("");
		expect(Number(canvas.dataset.applyMs)).toBeGreaterThanOrEqual(0);
		const upload = vi.spyOn(created.renderer, "initTexture");
		created.renderer.loop(0); // one render, as the animation loop would: it uploads the frame
		created.renderer.loop(1); // and the next has nothing to upload
		expect(canvas.dataset.renders).toBe("2");
		expect(upload).toHaveBeenCalledTimes(1);
		expect(canvas.dataset.uploadMs).toBeDefined();
		// The stats count the pixels with a splat, not the grid's slots.
		await vi.waitFor(() => expect(target.textContent).toContain(`${13 * 7 - 3} splats`));

		unmount(viewer);
		const { renderer, spark } = created;
		expect(renderer.loop).toBeNull();
		expect(dispose_live).toHaveBeenCalled(); // the stream's generator and its texture
		expect(spark.dispose).toHaveBeenCalled();
		// SparkRenderer.dispose leaves these behind (Spark issue #408).
		expect(spark.geometry.dispose).toHaveBeenCalled();
		expect(spark.material.dispose).toHaveBeenCalled();
		expect(renderer.dispose).toHaveBeenCalled();
		expect(renderer.forceContextLoss).toHaveBeenCalled();
	});

	test("with a webcam: a camera button, channel values are not fetched, and camera errors are shown", async () => {
		const target = document.body.appendChild(document.createElement("div"));
		const onstream = vi.fn();
		const props = reactive_props({ value: null as any, height: "240px", show_stats: true, webcam: true, onstream });
		const viewer = mount(Viewer, { target, props });
		flushSync();
		const button = target.querySelector<HTMLButtonElement>(".camera-button")!;
		expect(button.textContent?.trim()).toBe("Start camera");
		props.value = { kind: "channel", channel: { token: "t", path: "p", sizes: [640], max_upload: 1 } };
		flushSync();
		expect(fetch).not.toHaveBeenCalled(); // the channel's control, for the stream: no file
		button.click(); // jsdom has no camera, as a page over plain http has none
		await vi.waitFor(() => expect(target.querySelector("[role=alert]")?.textContent).toMatch(/needs a secure page/));
		expect(onstream).not.toHaveBeenCalled();
		expect(button.textContent?.trim()).toBe("Start camera");
		unmount(viewer);
	});

	/** Mounts the viewer on a frame; `answers` maps a URL to the server's response. */
	async function mount_streaming(answers: Record<string, () => Response>) {
		vi.stubGlobal("fetch", vi.fn(async (url: string) => answers[url]()));
		const frame = (url: string) => ({ file: { path: url, url }, kind: "frame" });
		const target = document.body.appendChild(document.createElement("div"));
		const props = reactive_props({ value: frame("http://x/a.bin"), height: "240px", show_stats: true });
		const viewer = mount(Viewer, { target, props });
		flushSync();
		const canvas = target.querySelector("canvas")!;
		await vi.waitFor(() => expect(canvas.dataset.shown).toBe("1"));
		const next = (url: string) => {
			props.value = frame(url);
			flushSync();
		};
		return { target, canvas, next, unmount: () => unmount(viewer) };
	}

	test("skips a frame whose file has expired, quietly, keeps the last one and shows the next", async () => {
		const error = vi.spyOn(console, "error");
		const debug = vi.spyOn(console, "debug").mockImplementation(() => {});
		const viewer = await mount_streaming({
			"http://x/a.bin": () => new Response(frame_bytes(7)),
			// Gradio's answer for a cache file that is gone (route_utils.file_fetch)
			"http://x/b.bin": () => new Response("File not allowed", { status: 403 }),
			"http://x/c.bin": () => new Response("Not found", { status: 404 }),
			"http://x/d.bin": () => new Response(frame_bytes(9))
		});
		const { canvas, target } = viewer;
		viewer.next("http://x/b.bin");
		await vi.waitFor(() => expect(canvas.dataset.expired).toBe("1"));
		viewer.next("http://x/c.bin");
		await vi.waitFor(() => expect(canvas.dataset.expired).toBe("2"));
		expect(canvas.dataset.frameId).toBe("7"); // the last frame stays on screen
		expect(canvas.dataset.shown).toBe("1");
		expect(target.querySelector("[role=alert]")).toBeNull();
		expect(debug).toHaveBeenCalledTimes(2);

		viewer.next("http://x/d.bin");
		await vi.waitFor(() => expect(canvas.dataset.shown).toBe("2"));
		expect(canvas.dataset.frameId).toBe("9");
		expect(error).not.toHaveBeenCalled();
		viewer.unmount();
	});

	test("still reports a server error", async () => {
		const error = vi.spyOn(console, "error").mockImplementation(() => {});
		const viewer = await mount_streaming({
			"http://x/a.bin": () => new Response(frame_bytes(7)),
			"http://x/b.bin": () => new Response("Internal Server Error", { status: 500 })
		});
		viewer.next("http://x/b.bin");
		await vi.waitFor(() => expect(viewer.target.querySelector("[role=alert]")?.textContent).toContain("500"));
		expect(error).toHaveBeenCalled();
		expect(viewer.canvas.dataset.frameId).toBe("7");
		viewer.unmount();
	});

	test("shows a bad frame's error, keeps the last good frame, and clears the error on the next", async () => {
		const error = vi.spyOn(console, "error").mockImplementation(() => {});
		const apply = vi.spyOn(LiveSplats.prototype, "apply");
		const viewer = await mount_streaming({
			"http://x/a.bin": () => new Response(frame_bytes(7)),
			"http://x/b.bin": () => new Response(modified("points_lossless", (e) => (e.version = 1))),
			"http://x/c.bin": () => new Response(frame_bytes(9))
		});
		const { canvas, target } = viewer;
		viewer.next("http://x/b.bin");
		await vi.waitFor(() => expect(canvas.dataset.error).toMatch(/version 1 is no longer supported/));
		expect(target.querySelector("[role=alert]")?.textContent).toMatch(/version 1 is no longer supported/);
		expect(canvas.dataset.frameId).toBe("7");
		expect(apply).toHaveBeenCalledTimes(1); // the bad frame never reached the texture
		expect(error).toHaveBeenCalled();

		viewer.next("http://x/c.bin");
		await vi.waitFor(() => expect(canvas.dataset.frameId).toBe("9"));
		expect(canvas.dataset.error).toBe("");
		expect(target.querySelector("[role=alert]")).toBeNull();
		viewer.unmount();
	});
});
