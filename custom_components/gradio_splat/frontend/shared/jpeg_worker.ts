// The JPEG worker: a camera frame in (an ImageBitmap, transferred), the frame scaled and encoded as
// JPEG out, so encoding never blocks the page. One canvas, resized as the capture size changes.

export const JPEG_QUALITY = 0.85;

export type EncodeRequest = { bitmap: ImageBitmap; width: number; height: number; data_url: boolean };
export type EncodeReply = { jpeg: ArrayBuffer | string } | { error: string };

let canvas: OffscreenCanvas | null = null;

self.onmessage = async ({ data }: MessageEvent<EncodeRequest>) => {
	const { bitmap, width, height } = data;
	try {
		canvas ??= new OffscreenCanvas(width, height);
		canvas.width = width;
		canvas.height = height;
		const context = canvas.getContext("2d")!;
		context.imageSmoothingQuality = "high"; // a 640 px frame is often halved or more
		context.drawImage(bitmap, 0, 0, width, height);
		const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: JPEG_QUALITY });
		if (data.data_url) {
			self.postMessage({ jpeg: await data_url_of(blob) } satisfies EncodeReply);
		} else {
			const jpeg = await blob.arrayBuffer();
			self.postMessage({ jpeg } satisfies EncodeReply, { transfer: [jpeg] });
		}
	} catch (e) {
		self.postMessage({ error: (e as Error).message } satisfies EncodeReply);
	} finally {
		bitmap.close();
	}
};

function data_url_of(blob: Blob): Promise<string> {
	return new Promise((resolve, reject) => {
		const reader = new FileReader();
		reader.onload = () => resolve(reader.result as string);
		reader.onerror = () => reject(reader.error);
		reader.readAsDataURL(blob);
	});
}
