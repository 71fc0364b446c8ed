import { describe, expect, test } from 'vitest';
import {
	doseSteps,
	patientDayDomain,
	patientEvents,
	patientItDose,
	patientMme,
	patientPain,
	uniqueEvents,
	type ChartSpec,
	type PatientChartContext
} from '../../src/lib/charts';
import type {
	ItDoseStep,
	PatientFacts,
	PatientMmeStep,
	PatientPainPick,
	PatientPainRow,
	PatientPumpEvent
} from '../../src/lib/sql';
import { expectSnapshot, renderSvg } from './chart-svg';

const FACTS: PatientFacts = {
	patient_id: 'P7',
	office: 'Lexington',
	provider_id: 'DR-LEX-1',
	sex: 'F',
	age_band: '50-59',
	diagnosis: 'fbss',
	program: 'conventional',
	implant_year: 2021,
	trial_day: -20,
	trial_result: 'pass',
	followup_end_day: 400,
	followup_end_reason: 'explant',
	explant_reason: 'infection',
	implanted: true,
	in_outcome: true
};

const PAIN: PatientPainRow[] = [
	{ day: -60, pain_avg: 8, pain_worst: 9, odi: 52, pgic: null },
	{ day: -30, pain_avg: 7.5, pain_worst: null, odi: null, pgic: null },
	{ day: 95, pain_avg: 4, pain_worst: 6, odi: 30, pgic: 2 },
	{ day: 370, pain_avg: 3.5, pain_worst: 5, odi: null, pgic: 1 }
];
const PICKS: PatientPainPick[] = [
	{ label: 'baseline', target: null, day: -30, score: 7.5 },
	{ label: '3m', target: 90, day: 95, score: 4 },
	{ label: '12m', target: 365, day: 370, score: 3.5 }
];
const MME: PatientMmeStep[] = [
	{ from_day: -200, to_day: -31, mme: 60 },
	{ from_day: -30, to_day: -1, mme: 45 },
	{ from_day: 0, to_day: 9, mme: null },
	{ from_day: 10, to_day: 400, mme: 0 }
];
const DOSE: ItDoseStep[] = [
	{ drug: 'morphine', unit: 'mg/day', from_day: 0, to_day: 99, daily_dose: 0.5, ended_by: null },
	{ drug: 'morphine', unit: 'mg/day', from_day: 100, to_day: 390, daily_dose: 0.75, ended_by: 'explant' }
];
const EVENTS: PatientPumpEvent[] = [
	{ day: -20, event: 'trial', drug: 'morphine', daily_dose: null, daily_dose_unit: null, complication: null },
	{
		day: 0,
		event: 'implant',
		drug: 'morphine',
		daily_dose: 0.5,
		daily_dose_unit: 'mg/day',
		complication: null
	},
	{
		day: 100,
		event: 'refill',
		drug: 'morphine',
		daily_dose: 0.75,
		daily_dose_unit: 'mg/day',
		complication: null
	},
	{
		day: 100,
		event: 'refill',
		drug: 'clonidine',
		daily_dose: 40,
		daily_dose_unit: 'mcg/day',
		complication: null
	},
	{
		day: 200,
		event: 'refill',
		drug: 'morphine',
		daily_dose: 0.75,
		daily_dose_unit: 'mg/day',
		complication: null
	},
	{
		day: 300,
		event: 'refill',
		drug: 'morphine',
		daily_dose: 0.75,
		daily_dose_unit: 'mg/day',
		complication: null
	},
	{
		day: 385,
		event: 'complication',
		drug: null,
		daily_dose: null,
		daily_dose_unit: null,
		complication: 'infection'
	},
	{ day: 390, event: 'explant', drug: null, daily_dose: null, daily_dose_unit: null, complication: null }
];

// Days span -200 (first MME day) to 401 (the day after the last MME run); 2% of 601 is 12.
const CTX: PatientChartContext = { patientId: 'P7', domain: [-212, 413], trialDay: -20 };

describe('the shared day axis', () => {
	test('covers every series, implant and follow-up end, padded by 2% each side', () => {
		expect(patientDayDomain({ facts: FACTS, pain: PAIN, mme: MME, dose: DOSE, events: EVENTS })).toEqual(
			CTX.domain
		);
	});

	test('pads by at least 5 days for a short history', () => {
		const facts = { ...FACTS, trial_day: null, followup_end_day: 10 };
		expect(patientDayDomain({ facts, pain: [], mme: [], dose: [], events: [] })).toEqual([-5, 15]);
	});

	test('every patient chart uses the same x domain and width', () => {
		const specs = [
			patientPain(PAIN, PICKS, CTX),
			patientMme(MME, { ...CTX, factors: 'cdc2022' }),
			patientItDose(DOSE, CTX),
			patientEvents(EVENTS, CTX)
		];
		for (const s of specs) {
			expect(s.options.x, s.id).toEqual({ label: 'Days from implant', domain: [-212, 413], grid: true });
			expect([s.options.width, s.options.marginLeft, s.options.marginRight], s.id).toEqual([760, 120, 24]);
		}
	});
});

describe('a patient never implanted', () => {
	test('day 0 is the trial: the axis counts days from the trial, and no implant is drawn', () => {
		const ctx: PatientChartContext = { ...CTX, trialDay: 0, implanted: false };
		const specs = [
			patientPain(PAIN, PICKS, ctx),
			patientMme(MME, { ...ctx, factors: 'cdc2022' }),
			patientItDose(DOSE, ctx),
			patientEvents(EVENTS, ctx)
		];
		for (const s of specs) {
			expect(s.options.x, s.id).toEqual({ label: 'Days from trial', domain: [-212, 413], grid: true });
			const svg = renderSvg<object>(s as ChartSpec<object>);
			expect(svg, s.id).toContain('>trial<');
			// (The event strip labels the fixture's own events, an implant among them.)
			if (s.id !== 'patient-events') expect(svg, s.id).not.toContain('>implant<');
		}
		// Implanted (the default): day 0 is the implant, and the trial its own rule.
		const implanted = renderSvg(patientPain(PAIN, PICKS, CTX));
		expect(implanted).toContain('>implant<');
		expect(implanted).toContain('>trial<');
	});
});

describe('patientPain', () => {
	test('describes the first and last score and the visits the outcome tables use', () => {
		expect(patientPain(PAIN, PICKS, CTX).ariaDescription).toBe(
			"Line chart of patient P7's average pain: 4 scores from day -60 (8.0) to day 370 (3.5). " +
				'Used by the outcome tables: baseline 7.5 on day -30; 3m 4.0 on day 95; 12m 3.5 on day 370.'
		);
	});

	test('its table marks each used visit', () => {
		const rows = patientPain(PAIN, PICKS, CTX).table.rows;
		expect(rows.map((r) => [r.day, r.used])).toEqual([
			[-60, ''],
			[-30, 'baseline'],
			[95, '3m'],
			[370, '12m']
		]);
	});

	test('renders as committed (tests/charts/patient-pain.svg)', () => {
		expectSnapshot('patient-pain', renderSvg(patientPain(PAIN, PICKS, CTX)));
	});
});

describe('patientMme', () => {
	test('describes the MME before implant, the peak and the last day', () => {
		expect(patientMme(MME, { ...CTX, factors: 'cdc2022' }).ariaDescription).toBe(
			"Step chart of patient P7's oral MME per day from day -200 to day 400: 45.0 on the day before implant, " +
				'at most 60.0, 0.0 on the last day.'
		);
	});

	test('names the factor table as the rest of the app does', () => {
		expect(patientMme(MME, { ...CTX, factors: 'cdc2022' }).caption).toContain('(CDC 2022 factors)');
		expect(patientMme(MME, { ...CTX, factors: 'cdc2016' }).caption).toContain(
			'(CDC 2016 factors (tramadol from CDC’s conversion file))'
		);
	});

	test('says when only excluded prescriptions cover some days', () => {
		expect(patientMme(MME, { ...CTX, factors: 'cdc2022' }).caption).toContain(
			'Grey: days covered only by prescriptions without an MME.'
		);
		expect(patientMme([], { ...CTX, factors: 'cdc2022' }).ariaDescription).toBe(
			'Patient P7 has no oral opioid prescriptions in the MME tables.'
		);
	});

	test('renders as committed (tests/charts/patient-mme.svg)', () => {
		expectSnapshot('patient-mme', renderSvg(patientMme(MME, { ...CTX, factors: 'cdc2022' })));
	});
});

describe('patientItDose', () => {
	test('holds each dose until the next and drops to 0 the day after an explant', () => {
		expect(doseSteps(DOSE)).toEqual([
			{ day: 0, dose: 0.5 },
			{ day: 100, dose: 0.75 },
			{ day: 391, dose: 0 }
		]);
		const open = DOSE.map((s) => ({ ...s, ended_by: s.ended_by && ('followup_end' as const) }));
		expect(doseSteps(open).at(-1)).toEqual({ day: 391, dose: 0.75 });
	});

	test('describes the doses in the drug unit', () => {
		const spec = patientItDose(DOSE, CTX);
		expect(spec.title).toBe('Intrathecal morphine (mg/day)');
		expect(spec.ariaDescription).toBe(
			"Step chart of patient P7's intrathecal morphine in mg/day: 2 programmed doses from day 0 to day 390, " +
				'starting at 0.500, at most 0.750, last 0.750, explanted on day 390.'
		);
	});

	test('renders as committed (tests/charts/patient-it-dose.svg)', () => {
		expectSnapshot('patient-it-dose', renderSvg(patientItDose(DOSE, CTX)));
	});
});

describe('patientEvents', () => {
	test('shows an admixture refill as one event', () => {
		expect(uniqueEvents(EVENTS).map((e) => `${e.day} ${e.event}`)).toEqual([
			'-20 trial',
			'0 implant',
			'100 refill',
			'200 refill',
			'300 refill',
			'385 complication',
			'390 explant'
		]);
	});

	test('lists notable events by day and counts routine ones', () => {
		expect(patientEvents(EVENTS, CTX).ariaDescription).toBe(
			'Event strip for patient P7: trial on day -20; implant on day 0; 3 refills from day 100 to 300; ' +
				'complication on day 385; explant on day 390.'
		);
		// The table twin keeps every row, the clonidine of the admixture included.
		expect(patientEvents(EVENTS, CTX).table.rows).toHaveLength(8);
	});

	test('renders as committed (tests/charts/patient-events.svg)', () => {
		expectSnapshot('patient-events', renderSvg(patientEvents(EVENTS, CTX)));
	});
});
