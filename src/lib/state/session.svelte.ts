import { browserDatabase } from '$lib/db/browser';
import type { Database } from '$lib/db';
import { loadDataset } from '$lib/dataset';
import type { ImportReport, InputFile } from '$lib/ingest';
import { demoFiles } from './demo';

export type Phase = 'idle' | 'loading' | 'ready' | 'error';

/** What is loaded in this tab. Lives as long as the page: nothing is stored or sent anywhere. */
class Session {
	phase = $state<Phase>('idle');
	message = $state('');
	report = $state<ImportReport | null>(null);
	source = $state<'demo' | 'upload' | null>(null);
	/** Bumped after every load so views re-query. */
	version = $state(0);

	/** Start DuckDB now, so the wasm compiles while the user reads the page. */
	warmUp(): void {
		browserDatabase().catch(() => undefined);
	}

	db(): Promise<Database> {
		return browserDatabase();
	}

	async useDemo(): Promise<boolean> {
		return this.load('demo', async () => {
			this.message = 'Fetching the demo cohort…';
			return demoFiles();
		});
	}

	async useFiles(list: FileList | File[]): Promise<boolean> {
		const files = Array.from(list);
		return this.load('upload', async () => {
			this.message = `Reading ${files.length} file(s)…`;
			return Promise.all(
				files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) }))
			);
		});
	}

	private async load(source: 'demo' | 'upload', read: () => Promise<InputFile[]>): Promise<boolean> {
		this.phase = 'loading';
		try {
			const inputs = await read();
			this.message = 'Starting the in-browser database…';
			const db = await browserDatabase();
			this.message = 'Validating and loading…';
			const started = performance.now();
			const report = await loadDataset(db, inputs);
			this.report = report;
			this.source = source;
			this.version++;
			const loaded = report.files.reduce((s, f) => s + f.loaded, 0);
			this.message = `Loaded ${loaded} rows from ${report.files.length} file(s) in ${Math.round(performance.now() - started)} ms.`;
			this.phase = report.files.length ? 'ready' : 'error';
			return report.files.length > 0;
		} catch (e) {
			this.phase = 'error';
			this.message = `Import failed: ${e instanceof Error ? e.message : String(e)}`;
			return false;
		}
	}
}

export const session = new Session();
