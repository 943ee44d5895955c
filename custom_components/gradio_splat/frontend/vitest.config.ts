import { defineConfig } from "vitest/config";

// The unit tests cover the plain TypeScript modules in shared/ (decode, in-place update,
// latest-wins, camera fit) against the real Spark and three; rendering is the browser test's job
// (tests/test_component_browser.py).
export default defineConfig({
	test: {
		environment: "node",
		include: ["test/**/*.test.ts"]
	}
});
