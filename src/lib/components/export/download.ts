/** Hand bytes to the browser as a download; nothing leaves the page (a blob: URL). */
export function saveFile(bytes: Uint8Array | string, fileName: string, type: string): void {
	const blob = new Blob([bytes as BlobPart], { type });
	const a = document.createElement('a');
	a.href = URL.createObjectURL(blob);
	a.download = fileName;
	a.click();
	// Revoked on the next turn: Chromium starts the download asynchronously from the click.
	setTimeout(() => URL.revokeObjectURL(a.href), 0);
}
