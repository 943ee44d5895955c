// A WebSocket stand-in that records what the page sends and lets a test play the server.
import { pack } from "../shared/channel";

export class FakeSocket {
	static readonly CONNECTING = 0;
	static readonly OPEN = 1;
	static readonly CLOSED = 3;
	static all: FakeSocket[] = [];

	readyState = FakeSocket.CONNECTING;
	binaryType = "blob";
	sent: (string | Uint8Array)[] = [];
	closed_with: number | null = null;
	onopen: (() => void) | null = null;
	onmessage: ((event: { data: string | ArrayBuffer }) => void) | null = null;
	onclose: ((event: { code: number }) => void) | null = null;

	constructor(readonly url: string) {
		FakeSocket.all.push(this);
	}

	static get last(): FakeSocket {
		return FakeSocket.all[FakeSocket.all.length - 1];
	}

	send(data: string | Uint8Array): void {
		this.sent.push(data);
	}

	close(code = 1005): void {
		this.closed_with = code;
		this.readyState = FakeSocket.CLOSED;
	}

	// The server's side.
	open(): void {
		this.readyState = FakeSocket.OPEN;
		this.onopen?.();
	}
	text(message: object): void {
		this.onmessage?.({ data: JSON.stringify(message) });
	}
	result(header: object, frame: Uint8Array): void {
		this.onmessage?.({ data: pack(header, frame).buffer });
	}
	drop(code = 1006): void {
		this.readyState = FakeSocket.CLOSED;
		this.onclose?.({ code });
	}
	/** Text messages the page sent, parsed. */
	texts(): any[] {
		return this.sent.filter((m) => typeof m === "string").map((m) => JSON.parse(m as string));
	}
	/** Binary messages the page sent. */
	binaries(): Uint8Array[] {
		return this.sent.filter((m): m is Uint8Array => typeof m !== "string");
	}
}
