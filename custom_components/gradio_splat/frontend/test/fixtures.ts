// Wire frames written by splat_core's encoder (fixtures/make_fixtures.py), with the values
// splat_core's own reader decodes from them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decode, encode } from "@msgpack/msgpack";

export const FIXTURES = ["points_lossless", "gaussians_sh1_lossless", "gaussians_sh2_lossless"] as const;
export type Fixture = (typeof FIXTURES)[number];

export interface Expected {
	camera: { width: number; height: number; fx: number; fy: number; cx: number; cy: number };
	depth_range: [number, number];
	mode: "points" | "gaussians";
	sh_degree: number;
	quant: Record<string, unknown>;
	target_depth: number;
	planes: Record<string, number[][]>; // plane → channel → H·W values
}

const path = (name: string) => join(__dirname, "fixtures", name); // also under jsdom, unlike import.meta.url

export const fixture_bytes = (name: Fixture): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(path(`${name}.bin`)));
export const fixture_expected = (name: Fixture): Expected => JSON.parse(readFileSync(path(`${name}.json`), "utf8"));
export const jpeg_17x9 = (): Uint8Array => new Uint8Array(readFileSync(path("17x9.jpg")));

/** A fixture's envelope with keys changed (undefined deletes one), re-encoded. */
export function modified(name: Fixture, change: (envelope: Record<string, any>) => void): Uint8Array<ArrayBuffer> {
	const envelope = decode(fixture_bytes(name)) as Record<string, any>;
	change(envelope);
	return new Uint8Array(encode(envelope, { ignoreUndefined: true }));
}
