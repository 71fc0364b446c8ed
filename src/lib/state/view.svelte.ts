import { DEFAULT_SETTINGS, type Settings } from '$lib/outcomes';
import { NO_FILTERS, type Filters } from '$lib/sql/filters';
import { DEFAULT_OPTIONS, viewSearch, type IgnoredParam, type ParsedView, type ViewOptions } from './url';

/** The filters and settings every page shares (the URL mirrors them: see url.ts). */
class ViewState {
	filters = $state<Filters>(structuredClone(NO_FILTERS));
	settings = $state<Settings>({ ...DEFAULT_SETTINGS });
	/** The pages' display options (funnel measure, individual lines, …), in the link too. */
	options = $state<ViewOptions>({ ...DEFAULT_OPTIONS });
	/** Link parameters the last parse left out, for the notice; empty when all were used. */
	ignored = $state<IgnoredParam[]>([]);
	/**
	 * The patient the drill-down shows. In memory only, never in the URL: a pseudonymous id is a
	 * record-level value (url.ts says why).
	 */
	patientId = $state<string | null>(null);

	/** The query string of the current view: '' for the defaults. */
	get search(): string {
		return viewSearch({ filters: this.filters, settings: this.settings, options: this.options });
	}

	clearFilters(): void {
		this.filters = structuredClone(NO_FILTERS);
	}

	/** Take a parsed link; leaves the state untouched (and the pages un-requeried) when it is the same view. */
	apply(parsed: ParsedView): void {
		this.ignored = parsed.ignored;
		if (viewSearch(parsed) === this.search) return;
		this.filters = parsed.filters;
		this.settings = parsed.settings;
		this.options = parsed.options;
	}
}

export const view = new ViewState();
