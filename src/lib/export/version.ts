import { dataDictionary } from '$lib/contract';
import { version as appVersion } from '../../../package.json';
import { sha256Hex } from './sha256';

export const APP_NAME = 'it-pump-outcomes';
export const APP_VERSION: string = appVersion;

/**
 * The build that wrote an export: its commit (`+changes` when built from a modified tree) and the
 * versions of the libraries that query and write the files. Null when run outside Vite (tsx).
 */
export const APP_BUILD: typeof __BUILD__ | null = typeof __BUILD__ === 'undefined' ? null : __BUILD__;

/** Bumped when the bundle's layout or the manifest's fields change meaning. */
export const BUNDLE_FORMAT = 1;

/**
 * The contract has no version number of its own; its version here is the SHA-256 of the data
 * dictionary generated from it, which changes whenever a column, type, range or meaning does.
 */
export async function contractVersion(): Promise<string> {
	return `sha256:${await sha256Hex(new TextEncoder().encode(dataDictionary()))}`;
}
