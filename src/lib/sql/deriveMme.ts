import { mmeNotComputableSql } from '$lib/contract';
import type { Database } from '$lib/db/types';
import {
	CONVERTIBLE_DRUGS,
	EXCLUDED_OUD,
	METHADONE_TIERS_2016,
	MME_FACTORS,
	NO_CDC_FACTOR,
	type MmeFactors
} from '$lib/outcomes';
import { literal } from './literal';

/**
 * The oral MME tables of outcomes.md section 3, built after each load (and again when the user
 * switches factor tables), for the outcome population:
 *
 * - `mme_prescriptions`: one row per loaded prescription: coverage, units/day, exclusion reason,
 *   MME/day rounded to 0.1 (null when excluded). For CDC 2016 methadone `mme_per_day` is the value
 *   the prescription has alone; on days it overlaps other methadone the day's total picks the tier.
 * - `mme_observed(patient_id, first_day, last_day)`: first prescription day .. followup_end_day.
 * - `mme_segments(patient_id, from_day, to_day, mme)`: runs of days with constant MME, covering
 *   the observed range without gaps; every MME query reads these (a few rows per patient).
 * - `mme_daily(patient_id, day, mme)`: the same, one row per observed day. A view: in the synthetic
 *   cohort patient-days outnumber segments 200 to 1, too many to keep in a browser tab.
 * - `mme_factors(factors)`: which factor table the tables were built with.
 *
 * Segments come from change points (+dose at the start, -dose after the end, running sums), not
 * from expanding every prescription to its days and grouping, so the work grows with the number
 * of prescriptions, not of patient-days. Running sums are kept in integers (tenths of MME, micrograms of methadone): doubles would leave
 * 1e-15 residues where prescriptions end, and a residue is not 0 when "opioid-free" asks for 0.
 */
export function deriveMmeSql(factors: MmeFactors): string[] {
	return [
		prescriptionsSql(factors),
		OBSERVED_SQL,
		segmentsSql(factors),
		DAILY_SQL,
		`CREATE OR REPLACE TABLE mme_factors AS SELECT ${literal(factors)} AS factors`
	];
}

/** Build (or rebuild) the MME tables; `patient_facts` must exist. */
export async function deriveMme(db: Database, factors: MmeFactors): Promise<void> {
	for (const sql of deriveMmeSql(factors)) await db.query(sql);
}

/** Rebuild only when the tables were built with other factors, or not at all. */
export async function ensureMmeFactors(db: Database, factors: MmeFactors): Promise<void> {
	// Two steps: a query naming a missing table fails when it is bound, whatever its WHERE says.
	const [exists] = await db.query<{ n: number }>(
		`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'mme_factors'`
	);
	const built = exists!.n > 0 ? await db.query<{ factors: string }>('SELECT factors FROM mme_factors') : [];
	if (built[0]?.factors !== factors) await deriveMme(db, factors);
}

/**
 * Whole tenths, half away from zero, with the same arithmetic as roundHalfAway(x, 1) for x >= 0
 * (the guard of 4 x Number.EPSILON relative keeps 11.25 computed as 11.249999999999998 at 11.3).
 */
function tenths(expr: string): string {
	return `round((${expr}) * 10 + 8.881784197001252e-16 * ((${expr}) * 10))::BIGINT`;
}

/** Per methadone prescription, its tenths of MME under each 2016 factor; the day picks one. */
const TIER_COLUMNS = METHADONE_TIERS_2016.map((t) => ({ ...t, column: `tenths_at_${t.factor}` }));

/** A CASE choosing the 2016 tier from a methadone dose in micrograms; `value` maps the tier. */
function byMethadoneTier(micrograms: string, value: (tier: (typeof TIER_COLUMNS)[number]) => string): string {
	const bounded = TIER_COLUMNS.filter((t) => Number.isFinite(t.upToMg));
	const whens = bounded.map((t) => `WHEN ${micrograms} <= ${t.upToMg * 1000} THEN ${value(t)}`);
	return `CASE ${whens.join(' ')} ELSE ${value(TIER_COLUMNS.at(-1)!)} END`;
}

function prescriptionsSql(factors: MmeFactors): string {
	const table = MME_FACTORS[factors];
	const fixed = CONVERTIBLE_DRUGS.filter((d) => table[d] !== 'tiered')
		.map((d) => `WHEN ${literal(d)} THEN ${literal(table[d] as number)}::DOUBLE`)
		.join(' ');
	const tiered = CONVERTIBLE_DRUGS.filter((d) => table[d] === 'tiered').map((d) => literal(d));
	const isTiered = tiered.length ? `drug IN (${tiered.join(', ')})` : 'FALSE';
	const aloneTier = byMethadoneTier('methadone_ug', (t) => String(t.factor));
	return `CREATE OR REPLACE TABLE mme_prescriptions AS
	 WITH rx AS (
	   SELECT patient_id, _line, drug, start_day AS from_day,
	          -- neither end nor days_supply: the start day only (its MME is not computable, below)
	          coalesce(end_day, start_day + days_supply - 1, start_day) AS to_day,
	          -- quantity / days_supply wins when both are given; a 72-hour patch is worn 3 days
	          CASE WHEN quantity IS NOT NULL AND days_supply IS NOT NULL
	               THEN CASE WHEN drug = 'fentanyl_transdermal' THEN quantity * 3 / days_supply
	                         ELSE quantity / days_supply END
	               ELSE units_per_day END AS units_per_day,
	          strength,
	          CASE WHEN indication = 'oud' THEN ${literal(EXCLUDED_OUD)}
	               WHEN drug NOT IN (${CONVERTIBLE_DRUGS.map((d) => literal(d)).join(', ')}) THEN ${literal(NO_CDC_FACTOR)}
	               -- an input not recorded (loaded as NULL): null with a reason, never 0
	               ELSE 'not computable: ' || (${mmeNotComputableSql('oral_opioids.')})
	          END AS excluded_reason
	   FROM oral_opioids),
	 dosed AS (
	   SELECT *, strength * units_per_day AS daily_dose,
	          CASE WHEN excluded_reason IS NULL THEN CASE drug ${fixed} END END AS factor,
	          excluded_reason IS NULL AND ${isTiered} AS tiered
	   FROM rx)
	 SELECT patient_id, _line, drug, from_day, to_day, units_per_day, daily_dose, excluded_reason, factor,
	        ${tenths('daily_dose * factor')} AS mme_tenths,
	        CASE WHEN tiered THEN round(daily_dose * 1000)::BIGINT END AS methadone_ug,
	        CASE WHEN tiered THEN ${tenths(`daily_dose * ${aloneTier}`)} ELSE mme_tenths END::DOUBLE / 10 AS mme_per_day
	 FROM dosed`;
}

const OBSERVED_SQL = `CREATE OR REPLACE TABLE mme_observed AS
	 SELECT r.patient_id, min(r.from_day) AS first_day,
	        -- without a follow-up end, the last covered day is the last one we know about
	        coalesce(p.followup_end_day, max(r.to_day)) AS last_day
	 FROM mme_prescriptions r JOIN patient_facts p USING (patient_id)
	 WHERE p.in_outcome
	 GROUP BY r.patient_id, p.followup_end_day
	 HAVING last_day >= first_day`;

function segmentsSql(factors: MmeFactors): string {
	// Methadone running sums only matter when a factor depends on the day's methadone total.
	const tiered = Object.values(MME_FACTORS[factors]).includes('tiered');
	const tiers = tiered ? TIER_COLUMNS : [];
	const sums = [
		'n_counted',
		'n_excluded',
		'fixed_tenths',
		...(tiered ? ['methadone_ug'] : []),
		...tiers.map((t) => t.column)
	];
	const tierValues = tiers.map(
		(t) =>
			`, CASE WHEN r.methadone_ug IS NULL THEN 0 ELSE ${tenths(`r.daily_dose * ${t.factor}`)} END AS ${t.column}`
	);
	const methadone = tiered
		? `WHEN methadone_ug > 0 THEN (fixed_tenths + ${byMethadoneTier('methadone_ug', (t) => t.column)})::DOUBLE / 10`
		: '';
	return `CREATE OR REPLACE TABLE mme_segments AS
	 WITH counted AS (
	   SELECT r.patient_id, r.from_day, r.to_day,
	          (r.excluded_reason IS NULL)::BIGINT AS n_counted,
	          (r.excluded_reason IS NOT NULL)::BIGINT AS n_excluded,
	          coalesce(r.mme_tenths, 0) AS fixed_tenths,
	          coalesce(r.methadone_ug, 0) AS methadone_ug
	          ${tierValues.join(' ')}
	   FROM mme_prescriptions r JOIN mme_observed o USING (patient_id)
	   WHERE r.from_day <= o.last_day),
	 deltas AS (
	   SELECT patient_id, from_day AS day, 0 AS closes, ${sums.join(', ')} FROM counted
	   UNION ALL
	   SELECT patient_id, to_day + 1, 0, ${sums.map((c) => `-${c}`).join(', ')} FROM counted
	   UNION ALL
	   SELECT patient_id, last_day + 1, 1, ${sums.map(() => '0').join(', ')} FROM mme_observed),
	 changes AS (
	   SELECT patient_id, day, ${sums.map((c) => `sum(${c}) AS ${c}`).join(', ')}
	   FROM deltas GROUP BY patient_id, day
	   -- a refill starting the day after the last one ends changes nothing: no new segment
	   HAVING max(closes) = 1 OR ${sums.map((c) => `sum(${c}) <> 0`).join(' OR ')}),
	 running AS (
	   SELECT patient_id, day AS from_day,
	          (lead(day) OVER (PARTITION BY patient_id ORDER BY day) - 1)::INTEGER AS to_day,
	          ${sums.map((c) => `sum(${c}) OVER upto AS ${c}`).join(', ')}
	   FROM changes
	   WINDOW upto AS (PARTITION BY patient_id ORDER BY day ROWS UNBOUNDED PRECEDING))
	 SELECT s.patient_id, s.from_day, s.to_day,
	        CASE WHEN n_counted = 0 AND n_excluded > 0 THEN NULL
	             ${methadone}
	             ELSE fixed_tenths::DOUBLE / 10 END AS mme
	 FROM running s JOIN mme_observed o USING (patient_id)
	 -- the earliest change is first_day; the segment from last_day + 1 is unobserved
	 WHERE s.from_day <= o.last_day`;
}

/** Day by day, for charts and tests; expanding on read costs what storing would, without the memory. */
const DAILY_SQL = `CREATE OR REPLACE VIEW mme_daily AS
	 SELECT patient_id, day::INTEGER AS day, mme
	 FROM (SELECT patient_id, unnest(range(from_day, to_day + 1)) AS day, mme FROM mme_segments)`;
