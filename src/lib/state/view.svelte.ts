import { DEFAULT_SETTINGS, type Settings } from '$lib/outcomes';
import { NO_FILTERS, type Filters } from '$lib/sql';

/** The filters and settings every page shares (the URL mirrors them: see url.ts). */
class ViewState {
	filters = $state<Filters>({ ...NO_FILTERS });
	settings = $state<Settings>({ ...DEFAULT_SETTINGS });
}

export const view = new ViewState();
