/**
 * Small-cell suppression (outcomes.md section 6), for the leadership page, everything exported
 * from it and the `offices` part of the command-line report.
 *
 * - A count from 1 to threshold - 1 is shown as `<threshold` (`<11`).
 * - A rate, mean or interval is hidden when its denominator, k or n - k is from 1 to
 *   threshold - 1.
 * - Complementary suppression: when a hidden cell could be recovered by subtraction from a shown
 *   total, the next smallest sibling is hidden too (its n, k, rate and interval).
 *
 * The rules work on abstract cells and groups, so that one tested algorithm serves every table of
 * the page: a cell is whatever is shown or hidden as one (a unit's responder counts with their
 * rates, one case-mix count); a group says that its members add up to its total (providers to
 * their office, offices to the practice, categories to a unit's patients).
 */

export type SmallCount = `<${number}`;

/** A count or statistic as published: the value, `<threshold` for a small count, or null (hidden). */
export type Shown<T = number> = T | SmallCount | null;

export function checkThreshold(threshold: number): number {
	if (!Number.isInteger(threshold) || threshold < 1) {
		throw new RangeError(`suppression threshold must be a whole number >= 1, got ${threshold}`);
	}
	return threshold;
}

/** A count from 1 to threshold - 1: zero is not small (an empty cell reveals nobody). */
export function isSmall(count: number, threshold: number): boolean {
	return count >= 1 && count < threshold;
}

export function smallLabel(threshold: number): SmallCount {
	return `<${checkThreshold(threshold)}`;
}

/** A standalone count as published: `<threshold` when small. */
export function showCount(count: number, threshold: number): number | SmallCount {
	return isSmall(count, threshold) ? smallLabel(threshold) : count;
}

/**
 * A count inside a cell that may be hidden: shown as is when the cell is shown; when it is hidden,
 * `<threshold` if small, otherwise null (a hidden count of 0 is null too: "0" would reveal it).
 */
export function showHiddenCount(count: number, hidden: boolean, threshold: number): Shown {
	if (!hidden) return count;
	return isSmall(count, threshold) ? smallLabel(threshold) : null;
}

/** A rate, mean or interval: null when its cell is hidden. */
export function showValue<T>(value: T | null, hidden: boolean): T | null {
	return hidden ? null : value;
}

/** True when a rate with these counts must be hidden: any of n, k, n - k is small. */
export function rateIsSmall(n: number, k: number, threshold: number): boolean {
	return isSmall(n, threshold) || isSmall(k, threshold) || isSmall(n - k, threshold);
}

// ---------------------------------------------------------------------------------------------
// Cells and groups

export interface SuppressionCell {
	id: string;
	/** The primary rule hides the cell when any of these is small (e.g. [n, k, n - k]). */
	counts: readonly number[];
	/** Orders siblings for complementary suppression ("the next smallest"); usually n. */
	size: number;
	/** Never shown (e.g. patients without a provider code): counts as hidden for its siblings. */
	unseen?: boolean;
	/**
	 * Published in full elsewhere in the same document, where it cannot be hidden (the practice
	 * total behind a funnel's target): a complement is chosen among the other cells first, and this
	 * one is hidden only when nothing else can be. A caller must then hide it where else it shows.
	 */
	keep?: boolean;
}

export interface SuppressionGroup {
	/** The cell holding the total. */
	total: string;
	/** The cells that add up to it. */
	members: readonly string[];
	/**
	 * The total is the complement: when one member is hidden and the total shown, hide the total
	 * rather than a sibling. For a total that says little beside its members (the patients due at a
	 * window, beside the scores of those who came): the scores stay, the bare count goes.
	 */
	complementTotal?: boolean;
}

export type SuppressionReason = 'primary' | 'complementary' | 'unseen';

/**
 * Which cells are hidden, and why. Primary cells first; then, until nothing changes, in every
 * group:
 * - total shown, exactly one member hidden: that member = total - the shown ones. Hide the
 *   smallest shown member with size > 0 (ties: the first by id); when none is left, or the group
 *   says so (`complementTotal`), hide the total.
 * - total hidden, every member shown: the total = their sum. Hide the smallest member of size > 0.
 * A cell marked `keep` is passed over in both cases while another cell can be hidden instead.
 *
 * A sibling of size 0 is never the complement: a hidden zero beside a `<11` would leave the
 * difference, and so the small cell, in plain sight whenever it is below the threshold.
 */
export function suppress(
	cells: readonly SuppressionCell[],
	groups: readonly SuppressionGroup[],
	threshold: number
): Map<string, SuppressionReason> {
	checkThreshold(threshold);
	const byId = new Map(cells.map((c) => [c.id, c]));
	for (const g of groups) {
		for (const id of [g.total, ...g.members]) {
			if (!byId.has(id)) throw new Error(`suppression group names an unknown cell ${id}`);
		}
	}
	const hidden = new Map<string, SuppressionReason>();
	for (const c of cells) {
		if (c.unseen) hidden.set(c.id, 'unseen');
		else if (c.counts.some((x) => isSmall(x, threshold))) hidden.set(c.id, 'primary');
	}
	const smallest = (ids: readonly string[]) =>
		ids
			.filter((id) => !hidden.has(id) && byId.get(id)!.size > 0)
			.sort((a, b) => byId.get(a)!.size - byId.get(b)!.size || (a < b ? -1 : a > b ? 1 : 0))[0];
	const kept = (id: string) => byId.get(id)!.keep === true;
	// Cells published elsewhere (`keep`) are the complement only when no other cell can be.
	const smallestShown = (ids: readonly string[]) => smallest(ids.filter((id) => !kept(id)));

	// Groups whose total is the complement go first: a total hidden there may spare a sibling
	// in the other groups it totals.
	const ordered = [...groups.filter((g) => g.complementTotal), ...groups.filter((g) => !g.complementTotal)];
	for (let changed = true; changed;) {
		changed = false;
		for (const g of ordered) {
			const hiddenMembers = g.members.filter((id) => hidden.has(id)).length;
			const totalHidden = hidden.has(g.total);
			let hide: string | undefined;
			if (!totalHidden && hiddenMembers === 1) {
				const total = kept(g.total) ? undefined : g.total;
				hide = g.complementTotal ? (total ?? smallestShown(g.members)) : (smallestShown(g.members) ?? total);
				hide ??= smallest(g.members) ?? g.total;
			} else if (totalHidden && hiddenMembers === 0) hide = smallestShown(g.members) ?? smallest(g.members);
			if (hide !== undefined && !hidden.has(hide)) {
				hidden.set(hide, 'complementary');
				changed = true;
			}
		}
	}
	return hidden;
}
