/**
 * Classifications of one pathway under one rule set, each with the rule in
 * words and the events behind it: the substance of `explain`.
 */
import { classify, effectiveSpan, spanLabel, type Classification, type LevelRef, type RuleSet } from '@leerroutes/domain';
import {
  diplomaLevelRef, effectiveCode, highestVoDiploma, isRepeat, referenceAdviceOf, stepClass, voSteps, yearThreeRow,
} from './derive.js';
import type { AdviceRecord, ClassificationRecord, DiplomaRecord, Pathway, TimelineRow } from './types.js';

type Input = Pick<Pathway, 'advices' | 'timeline' | 'diplomas'>;

function levelWords(rules: RuleSet, level: LevelRef): string {
  const eff = effectiveCode(rules, level);
  if (level.span === null) return `${level.code} (unranked)`;
  const collapsed = eff !== level.code ? ` (collapsed to its lower level ${eff} under ${rules.name})` : '';
  return `${level.code}${collapsed} [rank ${spanLabel(effectiveSpan(rules, level.span))}]`;
}

const adviceWords = (rules: RuleSet, a: AdviceRecord): string =>
  `reference advice ${levelWords(rules, a.level)} from event ${a.eventId} (${a.type} ${a.kind} ${a.occurredOn}${a.downward ? ', flagged: downward revision' : ''})`;

const rowWords = (what: string, rules: RuleSet, r: TimelineRow): string =>
  `${what} ${levelWords(rules, r.level)} from event ${r.events.map((e) => `${e.eventId} (${e.type} ${r.referenceDate}, ${r.institution}, grade ${r.grade ?? '?'})`).join(' + ')}`;

const rowIds = (r: TimelineRow): string[] => r.events.map((e) => e.eventId);

export interface Classified {
  readonly category: string;
  /** The rule in words; empty when asked without words. */
  readonly rule: string;
  readonly eventIds: string[];
}

/** Builds the words only when they are wanted: indicators count millions of units without them. */
const say = (words: boolean) => (text: () => string): string => (words ? text() : '');

/** Position in leerjaar 3 against the reference advice (`no-advice` without one); null without a year-3 position. `words: false` skips the rule text. */
export function advicePositionOf(p: Input, rules: RuleSet, words = true): Classified | null {
  const row = yearThreeRow(p);
  if (!row) return null;
  const w = say(words);
  const advice = referenceAdviceOf(p.advices, rules);
  if (!advice) {
    return { category: 'no-advice', rule: w(() => `no-advice: no reference advice under ${rules.name}; ${rowWords('year-3 position', rules, row)}`), eventIds: rowIds(row) };
  }
  const category: Classification = classify(rules, advice.level, row.level);
  return {
    category,
    rule: w(() => `${category}: ${adviceWords(rules, advice)}, ${rowWords('year-3 position', rules, row)}`),
    eventIds: [advice.eventId, ...rowIds(row)],
  };
}

/** Highest VO diploma against the reference advice. `words: false` skips the rule text. */
export function outcomeOf(p: Input, rules: RuleSet, words = true): Classified {
  const w = say(words);
  const diploma: DiplomaRecord | null = highestVoDiploma(p);
  const advice = referenceAdviceOf(p.advices, rules);
  if (!diploma) {
    return { category: 'no-vo-diploma', rule: w(() => 'no-vo-diploma: no VO diploma awarded'), eventIds: advice ? [advice.eventId] : [] };
  }
  if (!advice) return { category: 'not-comparable', rule: w(() => `not-comparable: no reference advice under ${rules.name}; ${diplomaWords(rules, diploma)}`), eventIds: [diploma.eventId] };
  const category = classify(rules, advice.level, diplomaLevelRef(diploma.level));
  return { category, rule: w(() => `${category}: ${adviceWords(rules, advice)}, ${diplomaWords(rules, diploma)}`), eventIds: [advice.eventId, diploma.eventId] };
}

// At module level, not a named closure in outcomeOf: run through tsx (whose esbuild keeps function names), every
// closure bound to a name costs a defineProperty each time it is made, and outcomeOf runs for every learner, rule
// set and school year a rebuild folds (0.4 s of a 110,000-learner rebuild's fold).
const diplomaWords = (rules: RuleSet, diploma: DiplomaRecord): string =>
  `highest VO diploma ${levelWords(rules, diplomaLevelRef(diploma.level))} from event ${diploma.eventId} (DiplomaAwarded ${diploma.occurredOn}, ${diploma.institution})`;

/** Advice position, outcome and every VO step with its class and flags; `words: false` leaves out the rule text. */
export function classifyPathway(p: Input, rules: RuleSet, options: { words?: boolean } = {}): ClassificationRecord[] {
  const words = options.words !== false;
  const w = say(words);
  const withRule = (r: ClassificationRecord, rule: string): ClassificationRecord => (words ? { ...r, rule } : r);
  const out: ClassificationRecord[] = [];
  const ap = advicePositionOf(p, rules, words);
  const y3 = yearThreeRow(p);
  if (ap) out.push(withRule({ subject: 'advice-position', category: ap.category, referenceDate: y3?.referenceDate ?? null, eventIds: ap.eventIds }, ap.rule));
  const oc = outcomeOf(p, rules, words);
  out.push(withRule({ subject: 'outcome', category: oc.category, referenceDate: null, eventIds: oc.eventIds }, oc.rule));
  for (const s of voSteps(p)) {
    const cls = stepClass(rules, s);
    const rule = w(() => {
      const flags = [isRepeat(rules, s) ? 'repeated (later grade not higher, same level)' : null, s.switchedSchool ? `switched-school (${s.from.institution} -> ${s.to.institution})` : null].filter(Boolean);
      const head = cls === 'stacked'
        ? `stacked: VO diploma ${s.stackedOn!.level} from event ${s.stackedOn!.eventId} awarded in ${s.from.schoolYear}`
        : `${cls}`;
      return `${head}; step ${s.from.referenceDate} -> ${s.to.referenceDate}: ${rowWords('from', rules, s.from)}, ${rowWords('to', rules, s.to)}${flags.length ? '; ' + flags.join('; ') : ''}`;
    });
    out.push(withRule({
      subject: 'step',
      category: cls,
      referenceDate: s.from.referenceDate,
      eventIds: [...(s.stackedOn ? [s.stackedOn.eventId] : []), ...rowIds(s.from), ...rowIds(s.to)],
    }, rule));
  }
  return out;
}
