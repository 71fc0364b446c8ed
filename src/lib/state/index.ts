export { session, type Phase } from './session.svelte';
export { view } from './view.svelte';
export {
	parseView,
	serializeView,
	viewSearch,
	hasViewParams,
	describeIgnored,
	UrlSync,
	VIEW_PARAM_NAMES,
	DEFAULT_OPTIONS,
	type ViewOptions,
	type IgnoredParam,
	type ParsedView,
	type ViewParams
} from './url';
