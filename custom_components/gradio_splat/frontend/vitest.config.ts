import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// Unit tests of the frontend against the real Spark and three. Module tests run in node; the
// Viewer test mounts the Svelte component in jsdom with the WebGL parts faked. Rendering itself
// is the browser test's job (tests/test_component_browser.py).
export default defineConfig({
	plugins: [svelte({ hot: false })],
	resolve: { conditions: ["browser"] }, // Svelte's client runtime, not its SSR one
	test: {
		environment: "node",
		include: ["test/**/*.test.ts"],
		server: { deps: { inline: [/@gradio\//] } } // they ship .svelte sources to compile
	}
});
