// Process facts from /proc (Linux): Chromium's renderer processes under a browser, their memory
// (RSS now and its high-water mark) and CPU time. A dedicated worker runs inside its page's
// renderer, so the renderer's figures include the DuckDB worker and its wasm memory.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = (() => {
	try {
		return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
	} catch {
		return 100;
	}
})();

function read(path: string): string | null {
	try {
		return readFileSync(path, 'utf8');
	} catch {
		return null;
	}
}

function parentOf(pid: number): number | null {
	const stat = read(`/proc/${pid}/stat`);
	if (!stat) return null;
	// The command name may hold spaces and parentheses: fields start after the last ')'.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return Number(fields[1]);
}

/** All processes descending from `root`. */
export function descendants(root: number): number[] {
	const children = new Map<number, number[]>();
	for (const name of readdirSync('/proc')) {
		const pid = Number(name);
		if (!Number.isInteger(pid)) continue;
		const parent = parentOf(pid);
		if (parent === null) continue;
		const list = children.get(parent) ?? [];
		list.push(pid);
		children.set(parent, list);
	}
	const out: number[] = [];
	const stack = [root];
	while (stack.length) {
		const pid = stack.pop()!;
		for (const c of children.get(pid) ?? []) {
			out.push(c);
			stack.push(c);
		}
	}
	return out;
}

/** Renderer processes of a Chromium started as `browserPid`. */
export function renderers(browserPid: number): number[] {
	return descendants(browserPid).filter((pid) =>
		(read(`/proc/${pid}/cmdline`) ?? '').includes('--type=renderer')
	);
}

export interface ProcMemory {
	rssMb: number;
	hwmMb: number;
}

export function memory(pid: number): ProcMemory | null {
	const status = read(`/proc/${pid}/status`);
	if (!status) return null;
	const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
	return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** User + system CPU time of a process (all its threads), in ms. */
export function cpuMs(pid: number): number | null {
	const stat = read(`/proc/${pid}/stat`);
	if (!stat) return null;
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

/** The renderer with the most memory: the tab's (Chromium may keep a spare one). */
export function busiestRenderer(browserPid: number): number | null {
	let best: number | null = null;
	let bestRss = -1;
	for (const pid of renderers(browserPid)) {
		const m = memory(pid);
		if (m && m.rssMb > bestRss) {
			best = pid;
			bestRss = m.rssMb;
		}
	}
	return best;
}

/** The 1, 5 and 15 minute load averages. */
export function loadAverage(): [number, number, number] {
	const parts = (read('/proc/loadavg') ?? '0 0 0').split(' ').map(Number);
	return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
}
