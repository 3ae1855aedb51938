/**
 * Names, not codes: breakdown dimensions in words, group values by the names
 * the API's reference data gives (areas, schools), categories in words with a
 * sentence on what each means (for hover titles and the help panel).
 */
import type { Meta } from './model.js';

let names: NonNullable<Meta['names']> = { area: {}, institution: {} };
/** The names the server knows (from /api/meta); codes without a name are shown as codes. */
export const setNames = (n: Meta['names'] | undefined): void => { names = n ?? { area: {}, institution: {} }; };

const DIMENSIONS: Readonly<Record<string, string>> = {
  pupil_weight: 'pupil weight', parental_education: 'parental education', gender: 'gender', migration_background: 'migration background',
  area: 'area', po_school: 'primary school', vo_school: 'secondary school', board: 'school board', advice: 'school advice',
  school_group: 'school group', school_weight_group: 'school weight group', level: 'level in that year',
  // The indicators' fixed group keys.
  diploma_level: 'mbo diploma', afdeling: 'department', sector: 'sector',
};

/** A breakdown dimension in words: `parental_education` → "parental education", `area:2` → "area (level 2)". */
export function dimensionLabel(dim: string): string {
  const [base, depth] = dim.split(':') as [string, string | undefined];
  const word = DIMENSIONS[base] ?? base.replace(/_/g, ' ');
  return depth === undefined ? word : `${word} (level ${depth})`;
}

const LEVELS: Readonly<Record<string, string>> = {
  pro: 'praktijkonderwijs (pro)', 'vmbo-b': 'vmbo basis', 'vmbo-b/k': 'vmbo basis/kader', 'vmbo-bk': 'vmbo basis/kader', 'vmbo-k': 'vmbo kader',
  'vmbo-k/t': 'vmbo kader/theoretisch', 'vmbo-g': 'vmbo gemengd', 'vmbo-gt': 'vmbo gemengd/theoretisch', 'vmbo-t': 'vmbo theoretisch (mavo)',
  'vmbo-t/havo': 'vmbo-t/havo', havo: 'havo', 'havo/vwo': 'havo/vwo', 'vmbo-t/havo/vwo': 'vmbo-t/havo/vwo', vwo: 'vwo',
  vso: 'voortgezet speciaal onderwijs (vso)', 'mbo-1': 'mbo 1 (entree)', 'mbo-2': 'mbo 2', 'mbo-3': 'mbo 3', 'mbo-4': 'mbo 4', hbo: 'hbo', wo: 'wo',
};
/** Short level names for tight places (chart labels); LEVELS has the long form for titles. */
const SHORT_LEVELS: Readonly<Record<string, string>> = { 'mbo-1': 'mbo 1', 'mbo-2': 'mbo 2', 'mbo-3': 'mbo 3', 'mbo-4': 'mbo 4' };

/** A group value in words: area and school codes by name, gender and weights spelled out. */
export function valueLabel(dim: string, value: string): string {
  const base = dim.split(':')[0]!;
  if (value === 'unknown') return 'unknown';
  switch (base) {
    case 'area': return names.area[value] ?? value;
    case 'po_school': case 'vo_school': return names.institution[value] ?? value;
    case 'gender': return ({ f: 'girls', m: 'boys', x: 'gender x' } as Record<string, string>)[value] ?? value;
    case 'pupil_weight': return `pupil weight ${value}`;
    case 'parental_education': return `${value} parental education`;
    case 'migration_background': return value === 'none' ? 'no migration background' : `${value} migration background`;
    case 'school_weight_group': return `${value} share of weighted learners`;
    case 'school_group': return value === 'none' ? 'in no school group' : value;
    case 'advice': return `advice ${SHORT_LEVELS[value] ?? value}`;
    case 'level': case 'diploma_level': return SHORT_LEVELS[value] ?? value;
    default: return value;
  }
}

/** A group in words for a chart label (values only; the title names the breakdown). */
export const groupText = (group: Readonly<Record<string, string>>): string =>
  Object.keys(group).length ? Object.entries(group).map(([k, v]) => valueLabel(k, v)).join(' · ') : 'all learners';

/** A group in full, for hover titles: each dimension named, and the code when a name replaced it. */
export const groupTitle = (group: Readonly<Record<string, string>>): string =>
  Object.keys(group).length
    ? Object.entries(group).map(([k, v]) => { const l = valueLabel(k, v); return `${dimensionLabel(k)}: ${l}${l.includes(v) ? '' : ` (${v})`}`; }).join(', ')
    : 'all learners';

const CATEGORY_WORDS: Readonly<Record<string, string>> = {
  'half-opstroom': 'half opstroom', 'half-afstroom': 'half afstroom', 'not-comparable': 'not comparable', 'no-advice': 'no advice',
  'no-vo-diploma': 'no VO diploma', repeated: 'repeated a year', 'switched-school': 'switched school', po: 'primary school',
  'left-with-startkwalificatie': 'left, with startkwalificatie', 'left-without-startkwalificatie': 'left, without startkwalificatie',
  'mbo-higher': 'on to a higher mbo level', 'mbo-same': 'same mbo level again', 'mbo-lower': 'a lower mbo level', vo: 'back in VO', 'not-enrolled': 'not enrolled',
};

/** A category in words (the Dutch terms of the field stay, explained by categoryHelp). */
export function categoryLabel(cat: string): string {
  if (cat.startsWith('vo:')) return cat.slice(3);
  return CATEGORY_WORDS[cat] ?? SHORT_LEVELS[cat] ?? cat;
}

const HELP: Readonly<Record<string, string>> = {
  opstroom: 'moved to a higher level than before (or than the primary-school advice)',
  'half-opstroom': 'moved half a step up: between overlapping level spans, e.g. havo/vwo → vwo',
  gelijk: 'at the same level as before (or as the advice)',
  'half-afstroom': 'moved half a step down: between overlapping level spans, e.g. havo/vwo → havo',
  afstroom: 'moved to a lower level than before (or than the advice)',
  'not-comparable': 'the levels cannot be ranked against each other (vso, unknown level, or no advice)',
  'no-advice': 'no reference advice under this rule set',
  'no-vo-diploma': 'no VO diploma (yet)',
  stacked: 'stapelen: after a VO diploma, continued at a higher level (e.g. vmbo-t diploma → havo 4)',
  repeated: 'doubleren: the next year is not a higher grade, at the same level',
  'switched-school': 'the next year is at another school',
  po: 'still in primary school',
  'left-with-startkwalificatie': 'left education with a startkwalificatie (havo or vwo diploma, or mbo 2 or higher)',
  'left-without-startkwalificatie': 'left education without a startkwalificatie',
  unknown: 'not known (no registration on that reference date, or an unknown level)',
  'mbo-higher': 'after the mbo diploma: enrolled at a higher mbo level',
  'mbo-same': 'after the mbo diploma: enrolled at the same mbo level',
  'mbo-lower': 'after the mbo diploma: enrolled at a lower mbo level',
  vo: 'after the mbo diploma: enrolled in VO',
  'not-enrolled': 'after the mbo diploma: not enrolled anywhere',
  ...Object.fromEntries(Object.entries(LEVELS).map(([k, v]) => [k, v])),
  hbo: 'hoger beroepsonderwijs: university of applied sciences',
  wo: 'wetenschappelijk onderwijs: research university',
};

/** One sentence on what a category means, or '' (node ids and `vo:` states are explained by their level). */
export function categoryHelp(cat: string): string {
  const level = cat.includes(':') ? cat.slice(cat.indexOf(':') + 1) : cat;
  return HELP[cat] ?? HELP[level] ?? '';
}

/** A title: the label, then what it means when there is something to say. */
export const withHelp = (text: string, cat: string): string => { const h = categoryHelp(cat); return h ? `${text}\n${categoryLabel(cat)}: ${h}` : text; };

/** Flows' stages: node ids are `<stage>:<value>`. */
export const STAGES = [
  { id: 'advice', name: 'advice', none: 'no advice' },
  { id: 'lj1', name: 'year 1', none: 'not in year 1' },
  { id: 'lj3', name: 'year 3', none: 'not in year 3' },
  { id: 'diploma', name: 'VO diploma', none: 'no VO diploma' },
  { id: 'next', name: 'next education', none: 'no further education' },
] as const;
export const stageIndex = (nodeId: string): number => STAGES.findIndex((s) => nodeId.startsWith(`${s.id}:`));
export function nodeLabel(id: string): string {
  const i = stageIndex(id);
  if (i < 0) return id;
  const value = id.slice(STAGES[i]!.id.length + 1);
  return value === 'none' ? STAGES[i]!.none : categoryLabel(value);
}

/** Every term the help panel can explain that occurs among these categories (node ids by their level). */
export function helpTerms(categories: Iterable<string>): [string, string][] {
  const seen = new Map<string, string>();
  for (const c of categories) {
    const value = stageIndex(c) >= 0 ? c.slice(c.indexOf(':') + 1) : c.startsWith('vo:') ? c.slice(3) : c;
    const h = categoryHelp(value);
    if (h && !seen.has(value)) seen.set(value, h);
  }
  return [...seen].map(([k, h]) => [categoryLabel(k), h]);
}
