/**
 * Every rate of the synthetic population in one readable object, so that
 * calibration is a diff of this file. Probabilities are per learner or per
 * yearly step as stated; `weighted`/`low`/`high` multipliers are applied on top
 * of the base rate and capped at 0.95. Targets from SPEC section 8 (and the
 * source figures of section 1) are noted next to the rates that produce them;
 * `pnpm tsx packages/synthetic/scripts/calibrate.ts` prints what they yield.
 */

/** VO rank as in SPEC section 3: pro 0, vmbo-b 1, vmbo-k 2, vmbo-g/t 3, havo 4, vwo 5. */
type ByRank = readonly [number, number, number, number, number, number];

export const PARAMETERS = {
  background: {
    gender: { m: 0.496, f: 0.5, x: 0.004 },
    /** Age on the intake reference date: mostly 12; older when held back in PO, a few younger. */
    ageAtIntake: { 11: 0.02, 12: 0.86, 13: 0.11, 14: 0.01 },
    /** Extra chance of being a year older at intake for weighted learners (held back in PO). */
    olderIfWeighted: 0.08,
    /** Pupil weight (leerlinggewicht) follows parental education, as the weighting scheme does. */
    pupilWeight: {
      low: { '0': 0.25, '0.3': 0.47, '1.2': 0.28 },
      middle: { '0': 0.97, '0.3': 0.03, '1.2': 0 },
      high: { '0': 1, '0.3': 0, '1.2': 0 },
    },
    /** Share of learners without a recorded parental education / pupil weight (empty cells). */
    unknownBackground: 0.01,
    /** Western migration background share; non-western comes from the district profile. */
    westernMigration: 0.08,
    /** Non-western share is multiplied by this for children of low-educated parents. */
    nonWesternIfLow: 1.6,
    /** Learners whose residence changes once during VO (a second learners.csv row). */
    residenceMove: 0.05,
    /** Of those, the share moving within their municipality. */
    moveWithinMunicipality: 0.7,
  },

  /**
   * Latent ability (standard normal) shifted by parental education; it drives
   * the test score. Test score = clamp(round(mean + sd * (ability + noise)), 501, 550).
   */
  areas: {
    /** Social mix per district profile (see geography.ts for which district has which). */
    profiles: {
      average: { low: 0.17, high: 0.36, nonWestern: 0.08 },
      city: { low: 0.22, high: 0.4, nonWestern: 0.22 },
      poor: { low: 0.42, high: 0.12, nonWestern: 0.45 },
      rich: { low: 0.07, high: 0.62, nonWestern: 0.1 },
      rural: { low: 0.19, high: 0.27, nonWestern: 0.03 },
      /** Rotterdam Zuid: the monitors' example of a district where half the parents have little education. */
      zuid: { low: 0.55, high: 0.06, nonWestern: 0.55 },
    },
    /**
     * The Zuid-like district. Its year-3 afstroom exceeds the rest (SPEC section 8:
     * ~28% vs ~20%) partly through its population mix (the `zuid` profile) and partly
     * through this factor, which stands for what the mix does not explain
     * (school supply, placement practice). 1.3 rather than 1.22 since the
     * ability shift below: it puts more Zuid learners on a pro advice, which
     * has no afstroom.
     */
    zuid: { district: 'WK059901', afstroomFactor: 1.3 },
    /**
     * Latent ability (so test score and advice) shifted for learners living in
     * an area, added up along the area's chain (municipality, then district):
     * what the social mix does not explain (neighbourhood, school quality).
     * Serves the year-3 havo/vwo share (SPEC section 1, question 4), on which
     * the mix alone gives 34% in Zuid and 46% in the rest of Rotterdam:
     * - GM0599 (Rotterdam): rest of Rotterdam 41.3%;
     * - WK059901 (Zuid), on top of Rotterdam's and with the afstroom factor: 26.7%.
     */
    abilityShift: { GM0599: -0.2, WK059901: -0.03 } as Readonly<Record<string, number>>,
  },

  ability: {
    shift: { low: -0.6, middle: 0, high: 0.45 },
    testMean: 535,
    testSd: 9.5,
    testNoise: 0.35,
  },

  advice: {
    /** Praktijkonderwijs advice (~3%): lowest ability, and exempt from the test (no score). */
    proAbilityBelow: -1.85,
    proShare: 0.6,
    /** Provisional advice (groep 8, December/January) is delivered for this share. */
    provisionalShare: 0.85,
    /** Provisional differs from final by one half step for this share. */
    provisionalDiffers: 0.15,
    /**
     * Final advice entirely below the level the test indicates (too low).
     * SPEC section 8: low-educated parents' children about five times as often.
     */
    tooLow: { low: 0.15, middle: 0.06, high: 0.03, unknown: 0.06 },
    /** Final advice entirely above the level the test indicates. */
    tooHigh: { low: 0.02, middle: 0.04, high: 0.07, unknown: 0.04 },
    /** When the test indicates a single level: advice combined with a neighbour anyway. */
    combinedIfSingleBand: 0.14,
    /** When the test band is combined: advice keeps the combined span (else its lower or upper level). */
    keepCombinedBand: 0.5,
    /** A too-low/too-high advice lands two ranks away (else one), and is a combined advice. */
    twoRanksOff: 0.15,
    offAdviceCombined: 0.25,
    /** Heroverweging: revision upward when the test indicates a wholly higher level / a half step higher. */
    revisionIfTestHigher: 0.5,
    revisionIfTestHalfHigher: 0.2,
    /** An upward revision goes to the level the test indicates (else a half step up). */
    revisedToTestLevel: 0.5,
    /** Families with low education ask for (and get) revisions less often. */
    revisionFactorLow: 0.7,
    /** A downward revision (not allowed by law; accepted and flagged by the importer). */
    revisionDownward: 0.002,
    /** Share of pro/vmbo-b advice learners who go to special secondary education (vso, unranked). */
    vso: 0.04,
  },

  placement: {
    /** Single-level advice: placed in a combined brugklas containing that level. */
    combinedClass: 0.4,
    /** Of those, the broad vmbo-t/havo/vwo class (only for advice vmbo-t..vwo). */
    broadClass: 0.1,
    /** Placed one level below a single advice (weighted learners: x weightedFactor). */
    belowAdvice: 0.04,
    aboveAdvice: 0.01,
    /** Combined advice: placed in that combined class; else its lower (lowerOfCombined) or upper level. */
    sameCombined: 0.65,
    lowerOfCombined: 0.25,
    /** A rank-3 learner is in the gemengde leerweg (vmbo-g) rather than vmbo-t. */
    gemengdeLeerweg: 0.12,
    /** vwo learners registered as gymnasium at schools that use aliases. */
    gymnasium: 0.3,
    /** A combined class carries on into grade 2 when the year-3 level lies within it. */
    combinedIntoGrade2: 0.55,
  },

  /**
   * The year-3 position relative to the reference advice (SPEC section 6,
   * advice-position). `down` is strict afstroom (entirely below the advice);
   * target ~20% nationally, ~28% in the Zuid-like district (areaFactor below
   * plus its population mix).
   */
  year3: {
    down: 0.2,
    up: 0.09,
    /** Placed below advice in grade 1: the year-3 position is more likely below as well. */
    downIfPlacedBelow: 1.8,
    /** For a combined advice that stays within its span: share ending at the upper level. */
    upperOfCombined: 0.45,
    /** Move from a combined or misplaced grade-1 class already at the step into grade 2 (else into grade 3). */
    moveAtGrade2: 0.5,
    /** A down move of two ranks instead of one. */
    twoRanksDown: 0.1,
  },

  /** Multipliers for weighted learners (pupil weight 0.3 or 1.2), SPEC section 8. */
  weighted: { down: 1.45, up: 0.55, repeat: 1.6, placedBelow: 1.8, dropout: 1.6, diplomaFail: 1.4, stacking: 0.7 },
  /** Multipliers for children of highly educated parents. */
  highEducated: { down: 0.85, up: 1.2, repeat: 0.8, stacking: 1.4 },

  vo: {
    /** Doubleren per step by grade (1..6), before multipliers. */
    repeat: [0, 0.02, 0.03, 0.045, 0.05, 0.04, 0.03] as readonly number[],
    /** Upper years (from grade 3 on): per-step level change by current rank. */
    upperDown: [0, 0.0, 0.01, 0.015, 0.03, 0.045] as ByRank,
    upperUp: [0.01, 0.02, 0.03, 0.025, 0.01, 0] as ByRank,
    /** School switch per step without a level change, and the extra chance when the level changes. */
    switchSchool: 0.02,
    switchWithLevelChange: 0.35,
    switchAfterMove: 0.5,
    /** Final-year exam pass rate by rank (pro has no VO diploma). */
    pass: [0, 0.96, 0.95, 0.93, 0.88, 0.9] as ByRank,
    /** After failing the exam: redo the final year (else leave VO). */
    redoFinalYear: 0.75,
    /**
     * Leaving VO without a diploma per step from age `dropoutFromAge` on the
     * reference date, in any year including the exam year (early leavers).
     * Serves the early leavers' vo : mbo ratio, 15,822 : 35,913 = 1 : 2.27
     * (SPEC section 1, question 9; 2006-2007): from 16 and outside the exam
     * year it hardly reached vmbo learners and gave 1 : 3.3.
     */
    dropout: 0.0118,
    dropoutFromAge: 15,
    /** pro and vso learners stay until this grade, then leave. */
    proLastGrade: [5, 6] as readonly number[],
    /** Profiles written in the diploma's programme column. */
    profiles: {
      vmbo: ['techniek', 'zorg-en-welzijn', 'economie', 'landbouw'],
      havo: ['CM', 'EM', 'NG', 'NT'],
      vwo: ['CM', 'EM', 'NG', 'NT'],
    },
  },

  /** What follows a VO diploma, by diploma level (shares sum to 1). */
  afterVoDiploma: {
    'vmbo-b': { 'mbo-1': 0.08, 'mbo-2': 0.77, 'mbo-3': 0.05, leave: 0.1 },
    'vmbo-k': { 'mbo-2': 0.38, 'mbo-3': 0.45, 'mbo-4': 0.09, leave: 0.08 },
    'vmbo-t': { 'mbo-2': 0.05, 'mbo-3': 0.14, 'mbo-4': 0.6, havo: 0.16, leave: 0.05 },
    havo: { 'hbo-ba': 0.7, 'hbo-ad': 0.02, 'mbo-4': 0.08, vwo: 0.06, gap: 0.14 },
    vwo: { 'wo-ba': 0.68, 'hbo-ba': 0.2, gap: 0.12 },
  },
  /** Leaving VO without a diploma (exam failed, or pro/vso done): where to next. */
  afterVoWithoutDiploma: {
    vmbo: { 'mbo-1': 0.3, 'mbo-2': 0.35, leave: 0.35 },
    'havo-vwo': { 'mbo-4': 0.6, leave: 0.4 },
    pro: { 'mbo-1': 0.35, leave: 0.65 },
  },

  mbo: {
    /** Nominal programme length in years, by level 1..4. */
    years: [0, 1, 2, 3, 3] as readonly number[],
    /** bbl (work-based) share by level 1..4. */
    bbl: [0, 0.1, 0.3, 0.2, 0.12] as readonly number[],
    /** Moving on to another mbo programme: at the same college. */
    sameCollege: 0.8,
    /** Dropout per year by level 1..4. */
    dropout: [0, 0.18, 0.11, 0.07, 0.05] as readonly number[],
    pass: 0.86,
    /** Failing the final year: one more year (else leave), then this pass rate. */
    extraYear: 0.7,
    passLater: 0.8,
    /**
     * Status one year after an mbo diploma (SPEC section 1, question 8: 68.4% of
     * level-1 and 61.8% of level-2 graduates in a higher-level programme).
     */
    afterDiploma: [
      {},
      { 'mbo-2': 0.684, leave: 0.316 },
      { 'mbo-3': 0.45, 'mbo-4': 0.168, leave: 0.382 },
      { 'mbo-4': 0.3, 'hbo-ba': 0.05, leave: 0.65 },
      { 'hbo-ba': 0.38, 'hbo-ad': 0.05, leave: 0.57 },
    ] as readonly Readonly<Record<string, number>>[],
  },

  hbo: {
    /** Propedeuse (hbo-p) at the end of the first year. */
    propedeuse: 0.66,
    /** Without propedeuse: restart year 1 elsewhere in hbo / switch to mbo-4 / leave (rest: repeat year 1). */
    noPropedeuse: { restart: 0.25, 'mbo-4': 0.15, leave: 0.35, repeat: 0.25 },
    /** After the propedeuse: switch to wo (hbo-p -> wo stacking). */
    propedeuseToWo: 0.05,
    bachelorYears: 4,
    /** Bachelor diploma at the end of the nominal year, and each later year. */
    bachelorPass: 0.68,
    bachelorPassLater: 0.75,
    dropoutLater: 0.05,
    adYears: 2,
    adPass: 0.7,
    adToBachelor: 0.3,
    /** After an hbo bachelor: wo master (hbo -> wo stacking). */
    bachelorToWo: 0.09,
  },

  wo: {
    bachelorYears: 3,
    firstYearDropout: 0.16,
    /** Of first-year wo dropouts: to hbo (else leave). */
    dropoutToHbo: 0.6,
    bachelorPass: 0.6,
    bachelorPassLater: 0.8,
    dropoutLater: 0.03,
    toMaster: 0.85,
    /** Master length: one year for this share, else two. */
    masterOneYear: 0.6,
    masterPass: 0.85,
  },

  leaving: {
    /** Early leaver (no startkwalificatie): re-entry after one year out, after two years out. */
    reEntryAfter1: 0.22,
    reEntryAfter2: 0.1,
    /** Gap year after havo/vwo: back into higher education the next year. */
    gapReturn: 0.65,
    /** After a gap year with a vwo diploma: wo (else hbo). */
    gapToWo: 0.7,
    /** The mbo level an early leaver re-enters at, by highest diploma so far. */
    reEntryLevel: {
      none: { 'mbo-1': 0.5, 'mbo-2': 0.5 },
      'mbo-1': { 'mbo-2': 1 },
      'vmbo-b': { 'mbo-1': 0.2, 'mbo-2': 0.8 },
      'vmbo-k': { 'mbo-2': 0.6, 'mbo-3': 0.4 },
      'vmbo-t': { 'mbo-3': 0.5, 'mbo-4': 0.5 },
      havo: { 'mbo-4': 1 },
      vwo: { 'mbo-4': 1 },
    },
  },

  /**
   * The corrected re-delivery (--redelivery): per row on a re-delivered
   * reference date, per learner without a row there who had one a year
   * before, per learner's final advice and per diploma.
   */
  redelivery: { changed: 0.003, removed: 0.001, added: 0.01, adviceCorrected: 0.002, diplomaCorrected: 0.002 },

  /** Level code spellings: schools that register with aliases (SPEC section 3 says to accept them). */
  aliases: { schoolShare: 0.15 },

  /**
   * Institution counts scale with learners per cohort, so that a school has a
   * realistic intake (~25 per PO school, ~180 per VO school at national scale).
   */
  institutions: {
    learnersPerPoSchool: 25,
    learnersPerVoSchool: 180,
    maxPoSchools: 6500,
    maxVoSchools: 650,
    poSchoolsPerBoard: 6,
    voSchoolsPerBoard: 3,
    /** Mix of extra VO schools beyond one broad school and one pro school per municipality. */
    voTypeMix: { vmbo: 0.3, 'havo-vwo': 0.25, brede: 0.45 },
    /** hbo and wo students study in their own region (mbo students always do). */
    higherEducationInRegion: 0.7,
  },
};

/** The shape of the parameters; pass a modified copy to generatePopulation to explore other worlds. */
export type Parameters = typeof PARAMETERS;
