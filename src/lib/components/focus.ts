/**
 * Puts the keyboard focus on the page's heading, for when the control that had it goes away (a
 * notice dismissed, the "no data" panel replaced by the page it was for): focus would otherwise
 * fall to the document, and a keyboard user would start again from the top.
 */
export function focusMainHeading(): void {
	const heading = document.querySelector<HTMLElement>('main h1');
	if (!heading) return;
	// Focusable by script only, not a tab stop.
	if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
	heading.focus();
}

/** Whether the focus is inside `node` (or nowhere, on the document's body). */
export function holdsFocus(node: Element | undefined): boolean {
	const active = document.activeElement;
	return !active || active === document.body || (!!node && node.contains(active));
}
