/**
 * What the analysis pages' one status region says about the page's queries (the layout renders
 * it, present before anything changes, so that screen readers announce its changes; a status
 * element inserted with its text is often not announced). "Computing…" once the page's queries
 * have run for `showAfterMs` (a quick change says nothing: the filter bar announces its count),
 * then "Updated." once none has run for `settleMs` (a view that asks in stages is one update).
 */
export class ActivityStatus {
	private computingTimer: ReturnType<typeof setTimeout> | null = null;
	private settleTimer: ReturnType<typeof setTimeout> | null = null;
	private said = false;

	constructor(
		private readonly say: (text: string) => void,
		private readonly showAfterMs = 300,
		private readonly settleMs = 150
	) {}

	/** The number of the page's queries running now (db/later.ts `onAsking`). */
	running(n: number): void {
		if (n > 0) {
			this.clear('settle');
			if (!this.said && this.computingTimer === null)
				this.computingTimer = setTimeout(() => {
					this.computingTimer = null;
					this.said = true;
					this.say('Computing…');
				}, this.showAfterMs);
			return;
		}
		this.clear('computing');
		if (!this.said || this.settleTimer !== null) return;
		this.settleTimer = setTimeout(() => {
			this.settleTimer = null;
			this.said = false;
			this.say('Updated.');
		}, this.settleMs);
	}

	private clear(which: 'computing' | 'settle'): void {
		const timer = which === 'computing' ? this.computingTimer : this.settleTimer;
		if (timer !== null) clearTimeout(timer);
		if (which === 'computing') this.computingTimer = null;
		else this.settleTimer = null;
	}
}
