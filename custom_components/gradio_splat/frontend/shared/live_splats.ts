// The streaming half of the viewer: one Spark SplatGenerator that builds a frame's splats on the
// GPU from its planes, uploaded as one texture (docs/wire-format.md, "From planes to splats"). No
// splat is touched by JavaScript: a frame costs one texture upload and a version bump.
import * as THREE from "three";
import { SplatGenerator, SplatTransformer, dyno, type GsplatGenerator } from "@sparkjsdev/spark";
import { DEPTH_LEVELS, channel_of, type DecodedFrame, type Mode } from "./wire";

// Points have no size on the wire. Each is drawn as a flat, solid disc: opacity 2 is the top of
// Spark's "more solid" range (its packed accumulator stores opacity / 2 for this, SplatAccumulator.ts,
// the extended one the viewer uses keeps it as a float; the vertex shader stretches 1..2 to 1..5,
// splatVertex.glsl; the fragment shader then gives a disc of alpha ≈ 1 out to about 4σ that falls
// to 0 within 0.7σ, splatFragment.glsl). σ = 0.18 pixel footprints
// makes that disc 0.72–0.86 px in radius: it covers the corners of its pixel (0.71 px away), where
// it meets its neighbours' discs, and adds < 0.2 % to the pixel next door (1 px away), so a frame
// seen from the webcam's viewpoint at one canvas pixel per grid pixel is the picture.
export const POINT_SIGMA_PX = 0.18;
export const POINT_OPACITY = 2.0;
// Spark widens every splat by a 0.3 px² blur before drawing (SparkRenderer blurAmount, the 3DGS
// rasteriser's antialiasing, which trained Gaussians expect) and lowers its opacity to match
// (splatVertex.glsl): that would blur and dim sub-pixel points, so points are drawn without it.
export const POINT_BLUR = 0.0;
export const SPARK_BLUR = 0.3; // Spark's default, for Gaussians and files

const SH_C1 = 0.4886025; // 3DGS's degree-1 and degree-2 SH basis, as Spark's evaluatePackedSH1/2
const SH_C2 = [1.0925484, -1.0925484, 0.3153915, -1.0925484, 0.5462742];

/** The pixel → splat program (GLSL) of one mode and SH degree; `i` names its inputs. */
function pixel_statements(mode: Mode, sh_degree: number, i: Record<string, string | undefined>, out: string) {
	const { channels, layers } = channel_of(mode, sh_degree);
	// Channel c of the planes texture is component c % 4 of layer c / 4 (wire.ts DecodedFrame).
	const ch = (c: number) => `float(l${c >> 2}.${"xyzw"[c & 3]})`;
	const gaussian = mode === "gaussians";
	const lines = [
		`ivec2 size = textureSize(${i.planes}, 0).xy;`,
		`ivec2 px = ivec2(${i.index} % size.x, ${i.index} / size.x);`,
		`uvec4 l1 = texelFetch(${i.planes}, ivec3(px, 1), 0);`,
		"uint code = (l1.x << 8) | l1.y;",
		`${out}.flags = 0u;`,
		`${out}.index = ${i.index};`,
		"if (code != 0u) {",
		`  uvec4 l0 = texelFetch(${i.planes}, ivec3(px, 0), 0);`,
		...Array.from({ length: layers - 2 }, (_, k) => `  uvec4 l${k + 2} = texelFetch(${i.planes}, ivec3(px, ${k + 2}), 0);`),
		`  float z = 1.0 / (${i.inv_depth}.x + float(code - 1u) * ${i.inv_depth}.y);`,
		"  vec2 uv = vec2(px) + 0.5;"
	];
	const o = channels.offset;
	if (gaussian) lines.push(`  uv += (vec2(${ch(o)}, ${ch(o + 1)}) - 128.0) * ${i.quant}.x;`);
	lines.push(
		`  vec3 center = vec3((uv - ${i.k}.zw) / ${i.k}.xy * z, z);`,
		`  ${out}.center = center;`,
		`  vec3 rgb = vec3(${ch(0)}, ${ch(1)}, ${ch(2)}) / 255.0;`,
		"  float opacity;"
	);
	if (gaussian) {
		const [a, sc, r] = [channels.opacity, channels.scale, channels.rotation];
		lines.push(
			`  opacity = ${ch(a)} / 255.0;`,
			`  vec3 log_scale = ${i.quant}.y + vec3(${ch(sc)}, ${ch(sc + 1)}, ${ch(sc + 2)}) / 255.0 * ${i.quant}.z;`,
			`  ${out}.scales = z / ${i.k}.x * exp(log_scale);`,
			// Spark's own decoder of these bytes (splatDefines.glsl), as in PackedSplats.
			`  ${out}.quaternion = decodeQuatOctXy88R8(uint(${ch(r)}) | (uint(${ch(r + 1)}) << 8) | (uint(${ch(r + 2)}) << 16));`
		);
	} else {
		lines.push(
			`  opacity = ${POINT_OPACITY.toFixed(1)};`,
			`  ${out}.scales = vec3(${POINT_SIGMA_PX} * z / ${i.k}.x);`,
			`  ${out}.quaternion = vec4(0.0, 0.0, 0.0, 1.0);`
		);
	}
	if (sh_degree) {
		// View-dependent colour, as 3DGS: the direction from the camera to the splat, in the
		// splats' own (OpenCV) axes, in which DA3 predicts SH.
		const sh = (k: number) => {
			const m = k < 3 ? `${i.sh_max}.x` : `${i.sh_max}.y`;
			const c = channels.sh + 3 * k;
			return `((vec3(${ch(c)}, ${ch(c + 1)}, ${ch(c + 2)}) - 128.0) / 127.0 * ${m})`;
		};
		lines.push(
			`  vec3 d = normalize(center - ${i.view_origin});`,
			`  rgb += ${sh(0)} * (${-SH_C1} * d.y) + ${sh(1)} * (${SH_C1} * d.z) + ${sh(2)} * (${-SH_C1} * d.x);`
		);
		if (sh_degree >= 2) {
			lines.push(
				`  rgb += ${sh(3)} * (${SH_C2[0]} * d.x * d.y) + ${sh(4)} * (${SH_C2[1]} * d.y * d.z)`,
				`    + ${sh(5)} * (${SH_C2[2]} * (2.0 * d.z * d.z - d.x * d.x - d.y * d.y))`,
				`    + ${sh(6)} * (${SH_C2[3]} * d.x * d.z) + ${sh(7)} * (${SH_C2[4]} * (d.x * d.x - d.y * d.y));`
			);
		}
	}
	lines.push(`  ${out}.rgba = vec4(rgb, opacity);`, `  ${out}.flags = GSPLAT_FLAG_ACTIVE;`, "}");
	return lines;
}

/**
 * Holds the stream's SplatGenerator and its planes texture. Sort policy: numSplats is the grid's
 * W × H, so frames of one size keep Spark's mapping: a new frame is drawn on the very next render
 * in the previous frame's sort order until the next sort lands (spark.md §1.5). Splat i is pixel
 * i in every frame, so that order is nearly right; a changing numSplats would instead hold every
 * frame back until its own sort finished. Pixels without a splat are inactive splats. The texture is
 * updated in place, and made anew only when the grid or its layers (mode, SH degree) change.
 */
export class LiveSplats {
	object: SplatGenerator | null = null;
	texture: THREE.DataArrayTexture | null = null; // RGBA8UI, wire.ts DecodedFrame's layout
	private sh_degree = 0;
	private readonly transformer = new SplatTransformer();
	private readonly programs = new Map<string, GsplatGenerator>();
	private readonly u = {
		planes: dyno.dynoUsampler2DArray(null as unknown as THREE.DataArrayTexture),
		k: dyno.dynoVec4(new THREE.Vector4()), // fx, fy, cx, cy
		inv_depth: dyno.dynoVec2(new THREE.Vector2()), // 1/far, 1/z step per depth code
		quant: dyno.dynoVec4(new THREE.Vector4()), // offset step, log-scale lo, hi − lo
		sh_max: dyno.dynoVec2(new THREE.Vector2()),
		view_origin: dyno.dynoVec3(new THREE.Vector3()) // the camera in the splats' axes
	};

	/** True while a frame's planes wait to go to the GPU (`upload`). */
	upload_pending = false;

	constructor(private readonly parent: THREE.Object3D) {}

	/** Shows a decoded frame; returns true when the texture had to be made anew. */
	apply(frame: DecodedFrame): boolean {
		const { camera, mode, sh_degree, depth_range, quant } = frame.header;
		const { width, height } = camera;
		const old = this.texture?.image;
		const rebuilt = !old || old.width !== width || old.height !== height || old.depth !== frame.layers;
		if (rebuilt) this.make_texture(width, height, frame.layers);
		const texture = this.texture!;
		texture.image.data = frame.planes; // same size: three updates the texture in place
		texture.needsUpdate = true;
		this.upload_pending = true;

		const [near, far] = depth_range;
		this.u.k.value.set(camera.fx, camera.fy, camera.cx, camera.cy);
		this.u.inv_depth.value.set(1 / far, (1 / near - 1 / far) / DEPTH_LEVELS);
		const [lo, hi] = quant.log_scale_range;
		this.u.quant.value.set(quant.offset_range / 127, lo, hi - lo, 0);
		this.u.sh_max.value.set(...quant.sh_max);

		const object = this.object ?? this.make_object();
		object.numSplats = width * height;
		object.generator = this.program(mode, sh_degree);
		this.sh_degree = sh_degree;
		object.updateVersion(); // SparkRenderer regenerates (and re-sorts) at its next render
		return rebuilt;
	}

	/**
	 * Sends the latest frame's planes to the GPU (one texSubImage3D). The viewer calls it just
	 * before drawing, so frames that land while it is hidden, or between two draws, cost no upload.
	 */
	upload(renderer: THREE.WebGLRenderer): void {
		if (!this.upload_pending || !this.texture) return;
		renderer.initTexture(this.texture);
		this.upload_pending = false;
	}

	dispose(): void {
		if (this.object) this.parent.remove(this.object);
		this.object = null;
		this.texture?.dispose();
		this.texture = null;
		this.upload_pending = false;
	}

	private make_texture(width: number, height: number, layers: number): void {
		this.texture?.dispose();
		const texture = new THREE.DataArrayTexture(new Uint8Array(width * height * layers * 4), width, height, layers);
		texture.format = THREE.RGBAIntegerFormat;
		texture.internalFormat = "RGBA8UI";
		texture.minFilter = texture.magFilter = THREE.NearestFilter; // texelFetch only
		texture.generateMipmaps = false;
		texture.flipY = false; // row 0 is the top row, as on the wire
		texture.unpackAlignment = 4; // rows of 4-byte texels need no padding
		texture.colorSpace = THREE.NoColorSpace; // codes, not colours to convert
		this.texture = texture;
		this.u.planes.value = texture;
	}

	private make_object(): SplatGenerator {
		const object = new SplatGenerator({
			update: ({ viewToWorld }) => {
				// A generator applies its own transform itself (as generators/static.ts does).
				let changed = this.transformer.update(object);
				if (this.sh_degree) {
					const origin = object.worldToLocal(new THREE.Vector3().setFromMatrixPosition(viewToWorld));
					if (!origin.equals(this.u.view_origin.value)) {
						this.u.view_origin.value.copy(origin);
						changed = true;
					}
				}
				if (changed) object.updateVersion();
			}
		});
		object.quaternion.set(1, 0, 0, 0); // OpenCV (y down, z forward) to three.js: 180° about x
		this.parent.add(object);
		this.object = object;
		return object;
	}

	/** The generator of one mode and SH degree, built once: Spark compiles each one once. */
	private program(mode: Mode, sh_degree: number): GsplatGenerator {
		const key = `${mode}/${sh_degree}`;
		let program = this.programs.get(key);
		if (!program) {
			const pixel = new dyno.Dyno({
				inTypes: {
					index: "int",
					planes: "usampler2DArray",
					k: "vec4",
					inv_depth: "vec2",
					quant: "vec4",
					sh_max: "vec2",
					view_origin: "vec3"
				},
				outTypes: { gsplat: dyno.Gsplat },
				globals: () => [dyno.defineGsplat],
				statements: ({ inputs, outputs }) => pixel_statements(mode, sh_degree, inputs, outputs.gsplat!)
			});
			program = dyno.dynoBlock({ index: "int" }, { gsplat: dyno.Gsplat }, ({ index }) => {
				const { gsplat } = pixel.apply({ index, ...this.u });
				return { gsplat: this.transformer.applyGsplat(gsplat) };
			});
			this.programs.set(key, program);
		}
		return program;
	}
}
