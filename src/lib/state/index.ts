export { session, type Phase } from './session.svelte';
