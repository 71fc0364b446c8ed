/**
 * An attachment for a <details> used as a dropdown: Escape closes it and returns focus to its
 * summary; a press outside closes it, and so does focus moving out of it (Tab past its last
 * choice), so that an open panel never covers the page for a keyboard user. The summary stays the
 * native, keyboard-operable toggle.
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
	// Focus leaving for another element; not when the window itself loses focus (no relatedTarget).
	const onFocusOut = (e: FocusEvent) => {
		const next = e.relatedTarget as Node | null;
		if (details.open && next && !details.contains(next)) details.open = false;
	};
	details.addEventListener('keydown', onKey);
	details.addEventListener('focusout', onFocusOut);
	document.addEventListener('pointerdown', onPointer);
	return () => {
		details.removeEventListener('keydown', onKey);
		details.removeEventListener('focusout', onFocusOut);
		document.removeEventListener('pointerdown', onPointer);
	};
}
