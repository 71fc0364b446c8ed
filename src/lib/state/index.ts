export { session, type Phase } from './session.svelte';
export { view } from './view.svelte';
