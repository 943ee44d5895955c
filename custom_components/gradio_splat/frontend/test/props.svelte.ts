/** Props a test changes after mounting, as a parent's state would (runes: hence `.svelte.ts`). */
export function reactive_props<T extends Record<string, unknown>>(initial: T): T {
	const props = $state(initial);
	return props;
}
