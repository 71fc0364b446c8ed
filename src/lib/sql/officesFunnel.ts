import {
	binomialLimits,
	funnelFlag,
	meanConfidenceInterval,
	normalLimits,
	OVERDISPERSION_MIN_UNITS,
	poissonLimits,
	poissonRateInterval,
	pooledSd,
	wilsonInterval,
	type FunnelFlag,
	type FunnelLimits,
	type FunnelMethod,
	type Interval,
	type SuppressionReason
} from '$lib/outcomes';
import { unitKey, type OfficesData, type OfficeUnitData } from './officesData';
import { cellId, unitLabel, type OfficeFamily } from './officesView';

/**
 * Funnel plots of the office comparison (outcomes.md section 5): for the chosen measure, each
 * office's value, interval and limits around the practice target, and its flag in words.
 * Offices whose cell is suppressed are left out of the plot and named with the reason; the
 * target still pools every office, as outcomes.md defines it.
 */

export type FunnelMetric = 'responders' | 'opioid_free' | 'explants' | 'pain_change';

export interface FunnelMetricInfo {
	label: string;
	/** Axis label for the value. */
	valueLabel: string;
	/** Axis label for the precision (x). */
	xLabel: string;
	/** Decimals of x in the table: 0 for a count of patients. */
	xDigits: number;
	/** Which direction is better, to say so beside a flag. */
	better: 'higher' | 'lower';
	/** The value is a proportion shown as a percentage. */
	percent: boolean;
	/** How the limits are computed, in words. */
	limitsText: (method: FunnelMethod) => string;
	family: OfficeFamily;
}

export const FUNNEL_METRICS: Record<FunnelMetric, FunnelMetricInfo> = {
	responders: {
		label: 'Responder rate (≥30% less pain, all implanted)',
		valueLabel: 'Responders (%)',
		xLabel: 'Patients due at the window (all-implanted denominator)',
		xDigits: 0,
		better: 'higher',
		percent: true,
		limitsText: (m) =>
			m === 'exact'
				? 'exact binomial limits with Spiegelhalter’s interpolation'
				: 'normal approximation to the binomial',
		family: 'responders'
	},
	opioid_free: {
		label: 'Opioid-free (Kaplan-Meier)',
		valueLabel: 'Opioid-free (%)',
		xLabel: 'Effective patients, target × (1 − target) / SE²',
		xDigits: 1,
		better: 'higher',
		percent: true,
		limitsText: () => 'target ± z × Greenwood standard error',
		family: 'opioid_free'
	},
	explants: {
		label: 'Explants per 100 patient-years',
		valueLabel: 'Explants per 100 patient-years',
		xLabel: 'Patient-years from implant',
		xDigits: 1,
		better: 'lower',
		percent: false,
		limitsText: () => 'exact Poisson limits around the pooled rate',
		family: 'explants'
	},
	pain_change: {
		label: 'Mean pain change (window − baseline)',
		valueLabel: 'Mean change in pain (points)',
		xLabel: 'Patients with baseline and window scores',
		xDigits: 0,
		better: 'lower',
		percent: false,
		limitsText: () => 'target ± z × pooled within-office SD / √n',
		family: 'pain_change'
	}
};

export const FUNNEL_METRIC_KEYS = Object.keys(FUNNEL_METRICS) as FunnelMetric[];

export interface FunnelPoint {
	key: string;
	label: string;
	/** Precision on the x axis: n, patient-years or effective n. */
	x: number;
	value: number;
	ci: Interval | null;
	limits: FunnelLimits;
	flag: FunnelFlag;
	/** The flag in words, with the better/worse direction. */
	words: string;
}

export interface FunnelLeftOut {
	key: string;
	label: string;
	reason: string;
}

export interface FunnelCurvePoint {
	x: number;
	lo95: number;
	hi95: number;
	lo998: number;
	hi998: number;
}

export interface FunnelView {
	metric: FunnelMetric;
	info: FunnelMetricInfo;
	/** Normal for every measure but the responder rate, whose method is selectable. */
	method: FunnelMethod;
	window: string;
	target: number | null;
	points: FunnelPoint[];
	leftOut: FunnelLeftOut[];
	curve: FunnelCurvePoint[];
	/** Offices compared (shown or not). */
	units: number;
	overdispersionNote: string;
}

/** The flag in words (never colour alone), saying which way is better. */
export function flagWords(flag: FunnelFlag, better: 'higher' | 'lower'): string {
	if (flag === 'in_control') return 'Within the 95% limits';
	const high = flag.startsWith('high');
	const level = flag.endsWith('99.8') ? '99.8%' : '95%';
	const good = high === (better === 'higher');
	return `${high ? 'Above the upper' : 'Below the lower'} ${level} limit (${good ? 'better' : 'worse'} than expected)`;
}

export function overdispersionNote(units: number): string {
	return units < OVERDISPERSION_MIN_UNITS
		? `Over-dispersion is not estimated with fewer than ${OVERDISPERSION_MIN_UNITS} units (here ${units}): the limits are not inflated for it, so read flags near a limit with care.`
		: `Over-dispersion is not estimated: the limits assume the ${units} units differ by chance alone.`;
}

interface Measured {
	u: OfficeUnitData;
	x: number | null;
	value: number | null;
	ci: Interval | null;
	limits: FunnelLimits | null;
}

/**
 * The funnel of one measure over the offices, with suppressed offices left out. The target and
 * the limits come from every office; `shown` (unit keys, the view's `units`) picks the offices
 * plotted or listed, as the page's office filter does (officesView.ts, UnitSelection).
 */
export function officesFunnel(
	data: OfficesData,
	hidden: ReadonlyMap<string, SuppressionReason>,
	metric: FunnelMetric,
	method: FunnelMethod = 'exact',
	shown?: ReadonlySet<string>
): FunnelView {
	const info = FUNNEL_METRICS[metric];
	const offices = data.units.filter((u) => u.level === 'office');
	const practice = data.units.find((u) => u.level === 'practice');
	const usedMethod: FunnelMethod = metric === 'responders' ? method : 'normal';
	const setup = MEASURES[metric](practice, offices, usedMethod);
	const { measure, curveAt } = setup;
	// A hidden practice total hides the target too (every office is then hidden as well).
	const target = practice && hidden.has(cellId(info.family, practice)) ? null : setup.target;
	const points: FunnelPoint[] = [];
	const leftOut: FunnelLeftOut[] = [];
	const plotted = shown ? offices.filter((u) => shown.has(unitKey(u))) : offices;
	for (const u of plotted) {
		const key = cellId(info.family, u);
		const m = measure(u);
		if (hidden.has(key)) {
			leftOut.push({
				key,
				label: unitLabel(u),
				reason:
					hidden.get(key) === 'complementary'
						? "suppressed: hidden so that another office's small numbers cannot be worked out from the total"
						: 'suppressed: small numbers (fewer than the threshold)'
			});
		} else if (target === null || m.x === null || m.value === null || m.limits === null) {
			leftOut.push({ key, label: unitLabel(u), reason: noLimitReason(metric, m) });
		} else {
			const flag = funnelFlag(m.value, m.limits);
			points.push({
				key,
				label: unitLabel(u),
				x: m.x,
				value: m.value,
				ci: m.ci,
				limits: m.limits,
				flag,
				words: flagWords(flag, info.better)
			});
		}
	}
	const xs = points.map((p) => p.x);
	const curve = target === null || xs.length === 0 ? [] : funnelCurve(Math.max(...xs), curveAt, metric);
	return {
		metric,
		info,
		method: usedMethod,
		window: data.window.label,
		target,
		points,
		leftOut,
		curve,
		units: plotted.length,
		overdispersionNote: overdispersionNote(offices.length)
	};
}

function noLimitReason(metric: FunnelMetric, m: Measured): string {
	if (m.value === null) return 'no value at this window';
	if (metric === 'opioid_free')
		return 'no Greenwood standard error (no events, or all events, by the window)';
	return 'no limits (no patients)';
}

interface MeasureSetup {
	target: number | null;
	measure: (u: OfficeUnitData) => Measured;
	curveAt: (x: number) => FunnelLimits | null;
}

type Setup = (
	practice: OfficeUnitData | undefined,
	offices: OfficeUnitData[],
	method: FunnelMethod
) => MeasureSetup;

const MEASURES: Record<FunnelMetric, Setup> = {
	responders: (practice, _offices, method) => {
		const r = practice?.responders;
		const target = r && r.n_all > 0 ? r.k / r.n_all : null;
		const at = (n: number) => (target === null || n <= 0 ? null : binomialLimits(n, target, method));
		return {
			target,
			curveAt: at,
			measure: (u) => {
				const { n_all: n, k } = u.responders;
				return { u, x: n, value: n > 0 ? k / n : null, ci: wilsonInterval(k, n), limits: at(n) };
			}
		};
	},
	opioid_free: (practice) => {
		const target = practice?.opioid_free.estimate ?? null;
		const spread = target === null ? null : target * (1 - target);
		// Plotted against the binomial-equivalent n, θ0 (1 - θ0) / SE², the limits θ0 ± z SE lie on
		// one smooth funnel, θ0 ± z sqrt(θ0 (1 - θ0) / x).
		const at = (x: number) =>
			target === null || spread === null || x <= 0 ? null : normalLimits(target, Math.sqrt(spread / x));
		return {
			target,
			curveAt: at,
			measure: (u) => {
				const o = u.opioid_free;
				const se = o.se;
				const ok = target !== null && spread !== null && spread > 0 && se !== null && se > 0;
				return {
					u,
					x: ok ? spread / se ** 2 : null,
					value: o.estimate,
					ci: o.ci,
					limits: ok ? normalLimits(target, se) : null
				};
			}
		};
	},
	explants: (practice) => {
		const rate0 = practice && practice.patient_years > 0 ? practice.explants / practice.patient_years : null;
		const per100 = (l: FunnelLimits): FunnelLimits => ({
			limits95: [100 * l.limits95[0], 100 * l.limits95[1]],
			limits998: [100 * l.limits998[0], 100 * l.limits998[1]]
		});
		const at = (years: number) => (rate0 === null || years <= 0 ? null : per100(poissonLimits(years, rate0)));
		return {
			target: rate0 === null ? null : 100 * rate0,
			curveAt: at,
			measure: (u) => {
				const y = u.patient_years;
				const ci = poissonRateInterval(u.explants, y);
				return {
					u,
					x: y > 0 ? y : null,
					value: y > 0 ? (100 * u.explants) / y : null,
					ci: ci && [100 * ci[0], 100 * ci[1]],
					limits: at(y)
				};
			}
		};
	},
	pain_change: (practice, offices) => {
		const target = practice?.pain_change.mean ?? null;
		const sd = pooledSd(offices.map((u) => u.pain_change));
		const at = (n: number) =>
			target === null || sd === null || n <= 0 ? null : normalLimits(target, sd / Math.sqrt(n));
		return {
			target,
			curveAt: at,
			measure: (u) => {
				const s = u.pain_change;
				return {
					u,
					x: s.n > 0 ? s.n : null,
					value: s.mean,
					ci: meanConfidenceInterval(s.mean, s.sd, s.n),
					limits: at(s.n)
				};
			}
		};
	}
};

/**
 * The limit lines from a small x to past the largest unit: at every whole n for the exact
 * binomial (its limits are defined at whole n only), on a fine grid otherwise.
 */
function funnelCurve(
	maxX: number,
	at: (x: number) => FunnelLimits | null,
	metric: FunnelMetric
): FunnelCurvePoint[] {
	const end = maxX * 1.15;
	const whole = metric === 'responders' || metric === 'pain_change';
	const xs: number[] = [];
	if (whole) for (let n = 2; n <= Math.ceil(end); n++) xs.push(n);
	else for (let i = 1; i <= 120; i++) xs.push((end * i) / 120);
	return xs.flatMap((x) => {
		const l = at(x);
		return l
			? [{ x, lo95: l.limits95[0], hi95: l.limits95[1], lo998: l.limits998[0], hi998: l.limits998[1] }]
			: [];
	});
}
