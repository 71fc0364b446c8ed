import { dataDictionary } from '$lib/contract';
import { version as appVersion } from '../../../package.json';
import { sha256Hex } from './inputs';

export const APP_NAME = 'it-pump-outcomes';
export const APP_VERSION: string = appVersion;

/** Bumped when the bundle's layout or the manifest's fields change meaning. */
export const BUNDLE_FORMAT = 1;

/**
 * The contract has no version number of its own; its version here is the SHA-256 of the data
 * dictionary generated from it, which changes whenever a column, type, range or meaning does.
 */
export async function contractVersion(): Promise<string> {
	return `sha256:${await sha256Hex(new TextEncoder().encode(dataDictionary()))}`;
}
