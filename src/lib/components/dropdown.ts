/**
 * An attachment for a <details> used as a dropdown: Escape closes it and returns focus to its
 * summary; a press outside closes it. The summary stays the native, keyboard-operable toggle.
 */
export function dropdown(details: HTMLDetailsElement): () => void {
	const onKey = (e: KeyboardEvent) => {
		if (e.key !== 'Escape' || !details.open) return;
		details.open = false;
		details.querySelector('summary')?.focus();
	};
	const onPointer = (e: PointerEvent) => {
		if (details.open && !details.contains(e.target as Node)) details.open = false;
	};
	details.addEventListener('keydown', onKey);
	document.addEventListener('pointerdown', onPointer);
	return () => {
		details.removeEventListener('keydown', onKey);
		document.removeEventListener('pointerdown', onPointer);
	};
}
