// The streaming half of the viewer: one Spark SplatGenerator that builds a frame's splats on the
// GPU from its planes, uploaded as textures (docs/wire-format.md, "From planes to splats"). No
// splat is touched by JavaScript: a frame costs a few texture uploads and a version bump.
import * as THREE from "three";
import { SplatGenerator, SplatTransformer, dyno, type GsplatGenerator } from "@sparkjsdev/spark";
import { DEPTH_LEVELS, attr_layers, type DecodedFrame, type Mode } from "./wire";

// Points have no size on the wire. Each is drawn as a flat, solid disc: opacity 2 is the top of
// Spark's "more solid" range (the accumulator stores opacity / 2, SplatAccumulator.ts; the vertex
// shader stretches 1..2 to 1..5, splatVertex.glsl; the fragment shader then gives a disc of alpha
// ≈ 1 out to about 4σ that falls to 0 within 0.7σ, splatFragment.glsl). σ = 0.18 pixel footprints
// makes that disc 0.72–0.86 px in radius: it covers the corners of its pixel (0.71 px away), where
// it meets its neighbours' discs, and adds < 0.2 % to the pixel next door (1 px away), so a frame
// seen from the webcam's viewpoint is the picture, pixel for pixel.
export const POINT_SIGMA_PX = 0.18;
export const POINT_OPACITY = 2.0;
// Spark widens every splat by a 0.3 px² blur before drawing (SparkRenderer blurAmount, the 3DGS
// rasteriser's antialiasing, which trained Gaussians expect) and lowers its opacity to match
// (splatVertex.glsl): that would blur and dim sub-pixel points, so points are drawn without it.
export const POINT_BLUR = 0.0;
export const SPARK_BLUR = 0.3; // Spark's default, for Gaussians and files

const SH_C1 = 0.4886025; // 3DGS's degree-1 and degree-2 SH basis, as Spark's evaluatePackedSH1/2
const SH_C2 = [1.0925484, -1.0925484, 0.3153915, -1.0925484, 0.5462742];

type Textures = {
	width: number;
	height: number;
	layers: number;
	depth: THREE.DataTexture; // R16UI depth codes
	color_jpeg: THREE.Texture | null; // the JPEG's ImageBitmap
	color_data: THREE.DataTexture | null; // lossless colour, RGBA8
	attrs: THREE.DataArrayTexture; // R8UI, one layer per attribute channel (wire.ts attr_layers)
};

function plane_texture<T extends THREE.Texture>(texture: T, internal: THREE.PixelFormatGPU | null): T {
	texture.internalFormat = internal;
	texture.minFilter = texture.magFilter = THREE.NearestFilter; // texelFetch only
	texture.generateMipmaps = false;
	texture.flipY = false; // row 0 is the top row, as on the wire
	texture.premultiplyAlpha = false;
	texture.unpackAlignment = 1; // rows of any width
	texture.colorSpace = THREE.NoColorSpace; // codes, not colours to convert
	return texture;
}

/** The pixel → splat program (GLSL) of one mode and SH degree. */
function pixel_statements(mode: Mode, sh_degree: number, i: Record<string, string | undefined>, out: string) {
	const attr = (layer: number | string) => `float(texelFetch(${i.attrs}, ivec3(px, ${layer}), 0).r)`;
	const gaussian = mode === "gaussians";
	const lines = [
		`ivec2 size = textureSize(${i.depth}, 0);`,
		`ivec2 px = ivec2(${i.index} % size.x, ${i.index} / size.x);`,
		`uint code = texelFetch(${i.depth}, px, 0).r;`,
		`${out}.flags = 0u;`,
		`${out}.index = ${i.index};`,
		"if (code != 0u) {",
		`  float z = 1.0 / (${i.inv_depth}.x + float(code - 1u) * ${i.inv_depth}.y);`,
		"  vec2 uv = vec2(px) + 0.5;",
		gaussian ? `  uv += (vec2(${attr(0)}, ${attr(1)}) - 128.0) * ${i.quant}.x;` : "",
		`  vec3 center = vec3((uv - ${i.k}.zw) / ${i.k}.xy * z, z);`,
		`  ${out}.center = center;`,
		`  vec3 rgb = texelFetch(${i.color}, px, 0).rgb;`,
		"  float opacity;"
	];
	if (gaussian) {
		lines.push(
			`  opacity = ${attr(2)} / 255.0;`,
			`  vec3 log_scale = ${i.quant}.y + vec3(${attr(3)}, ${attr(4)}, ${attr(5)}) / 255.0 * ${i.quant}.z;`,
			`  ${out}.scales = z / ${i.k}.x * exp(log_scale);`,
			`  ${out}.quaternion = decodeQuatOctXy88R8(uint(${attr(6)}) | (uint(${attr(7)}) << 8) | (uint(${attr(8)}) << 16));`
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
		const base = gaussian ? 9 : 0;
		const sh = (k: number) => {
			const m = k < 3 ? `${i.sh_max}.x` : `${i.sh_max}.y`;
			const l = base + 3 * k;
			return `((vec3(${attr(l)}, ${attr(l + 1)}, ${attr(l + 2)}) - 128.0) / 127.0 * ${m})`;
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
	return lines.filter(Boolean);
}

/**
 * Holds the stream's SplatGenerator and its plane textures. Sort policy: numSplats is the grid's
 * W × H, so frames of one size keep Spark's mapping: a new frame is drawn on the very next render
 * in the previous frame's sort order until the next sort lands (spark.md §1.5). Splat i is pixel
 * i in every frame, so that order is nearly right; a changing numSplats would instead hold every
 * frame back until its own sort finished. Pixels without a splat are inactive splats. Textures are
 * updated in place, and made anew only when the grid, the mode's planes or the SH degree change.
 */
export class LiveSplats {
	object: SplatGenerator | null = null;
	mode: Mode | null = null;
	private textures: Textures | null = null;
	private sh_degree = 0;
	private readonly transformer = new SplatTransformer();
	private readonly programs = new Map<string, GsplatGenerator>();
	private readonly placeholder = plane_texture(
		new THREE.DataArrayTexture(new Uint8Array(1), 1, 1, 1),
		"R8UI"
	);
	private readonly u = {
		depth: dyno.dynoUsampler2D(null as unknown as THREE.Texture),
		color: dyno.dynoSampler2D(null as unknown as THREE.Texture),
		attrs: dyno.dynoUsampler2DArray(this.placeholder),
		k: dyno.dynoVec4(new THREE.Vector4()), // fx, fy, cx, cy
		inv_depth: dyno.dynoVec2(new THREE.Vector2()), // 1/far, 1/z step per depth code
		quant: dyno.dynoVec4(new THREE.Vector4()), // offset step, log-scale lo, hi − lo
		sh_max: dyno.dynoVec2(new THREE.Vector2()),
		view_origin: dyno.dynoVec3(new THREE.Vector3()) // the camera in the splats' axes
	};

	/** `upload` sends a texture to the GPU now (renderer.initTexture), so apply pays for it. */
	constructor(
		private readonly parent: THREE.Object3D,
		private readonly upload: (texture: THREE.Texture) => void
	) {
		this.placeholder.format = THREE.RedIntegerFormat;
	}

	/** Shows a decoded frame; returns true when the textures had to be made anew. */
	apply(frame: DecodedFrame): boolean {
		const { camera, mode, sh_degree, depth_range, quant } = frame.header;
		const layers = attr_layers(mode, sh_degree);
		const t = this.textures;
		const rebuilt = !t || t.width !== camera.width || t.height !== camera.height || t.layers !== layers;
		if (rebuilt) this.make_textures(camera.width, camera.height, layers);
		const textures = this.textures!;
		textures.depth.image.data = frame.depth;
		this.update(textures.depth);
		this.u.color.value = this.set_color(textures, frame.color);
		if (frame.attrs) {
			textures.attrs.image.data = frame.attrs;
			this.update(textures.attrs);
		}

		const [near, far] = depth_range;
		this.u.k.value.set(camera.fx, camera.fy, camera.cx, camera.cy);
		this.u.inv_depth.value.set(1 / far, (1 / near - 1 / far) / DEPTH_LEVELS);
		const [lo, hi] = quant.log_scale_range;
		this.u.quant.value.set(quant.offset_range / 127, lo, hi - lo, 0);
		this.u.sh_max.value.set(...quant.sh_max);

		const object = this.object ?? this.make_object();
		object.numSplats = camera.width * camera.height;
		object.generator = this.program(mode, sh_degree);
		this.mode = mode;
		this.sh_degree = sh_degree;
		object.updateVersion(); // SparkRenderer regenerates (and re-sorts) at its next render
		return rebuilt;
	}

	dispose(): void {
		if (this.object) this.parent.remove(this.object);
		this.object = null;
		this.mode = null;
		this.dispose_textures();
	}

	private update(texture: THREE.Texture): void {
		texture.needsUpdate = true;
		this.upload(texture);
	}

	private set_color(t: Textures, color: ImageBitmap | Uint8Array): THREE.Texture {
		if (color instanceof Uint8Array) {
			t.color_data ??= plane_texture(new THREE.DataTexture(color, t.width, t.height), null);
			t.color_data.image.data = color;
			this.update(t.color_data);
			return t.color_data;
		}
		if (!t.color_jpeg) t.color_jpeg = plane_texture(new THREE.Texture(color), null);
		else (t.color_jpeg.image as ImageBitmap).close(); // uploaded at the previous frame
		t.color_jpeg.image = color;
		this.update(t.color_jpeg);
		return t.color_jpeg;
	}

	private make_textures(width: number, height: number, layers: number): void {
		this.dispose_textures();
		const depth = plane_texture(
			new THREE.DataTexture(new Uint16Array(width * height), width, height, THREE.RedIntegerFormat, THREE.UnsignedShortType),
			"R16UI"
		);
		const attrs = layers
			? plane_texture(new THREE.DataArrayTexture(new Uint8Array(width * height * layers), width, height, layers), "R8UI")
			: this.placeholder;
		attrs.format = THREE.RedIntegerFormat;
		this.textures = { width, height, layers, depth, attrs, color_jpeg: null, color_data: null };
		this.u.depth.value = depth;
		this.u.attrs.value = attrs;
	}

	private dispose_textures(): void {
		const t = this.textures;
		if (!t) return;
		t.depth.dispose();
		if (t.attrs !== this.placeholder) t.attrs.dispose();
		t.color_data?.dispose();
		if (t.color_jpeg) {
			(t.color_jpeg.image as ImageBitmap).close();
			t.color_jpeg.dispose();
		}
		this.textures = null;
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
					depth: "usampler2D",
					color: "sampler2D",
					attrs: "usampler2DArray",
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
