/**
 * The area hierarchy: NL > region (the four big cities form their own region,
 * as the monitors compare "G4") > municipality > district. Municipality codes
 * follow CBS (GM....), district codes CBS wijk style (WK......). Weights are
 * relative population shares; profiles set the district's social mix, which
 * is what makes area breakdowns differ.
 */

import { PARAMETERS, type Parameters } from './parameters.js';

export interface DistrictProfile {
  /** Share of learners whose parents have low education, and high education. */
  readonly low: number;
  readonly high: number;
  /** Share with a non-western migration background. */
  readonly nonWestern: number;
}

type ProfileName = keyof Parameters['areas']['profiles'];

/** The Zuid-like district (Rotterdam Zuid); its rates live in PARAMETERS.areas. */
export const ZUID_DISTRICT = PARAMETERS.areas.zuid.district;

type DistrictSpec = readonly [name: string, share: number, profile: ProfileName];
interface MunicipalitySpec {
  readonly code: string;
  readonly name: string;
  readonly weight: number;
  readonly districts?: readonly DistrictSpec[];
}
interface RegionSpec { readonly code: string; readonly name: string; readonly municipalities: readonly MunicipalitySpec[] }

const TOWN: readonly DistrictSpec[] = [['Centrum', 0.3, 'city'], ['Wijken', 0.5, 'average'], ['Buitengebied', 0.2, 'rural']];

const REGIONS: readonly RegionSpec[] = [
  {
    code: 'RG-G4', name: 'Vier grote steden', municipalities: [
      { code: 'GM0363', name: 'Amsterdam', weight: 5.0, districts: [['Centrum', 0.14, 'rich'], ['Noord', 0.15, 'poor'], ['Nieuw-West', 0.2, 'poor'], ['Zuidoost', 0.14, 'poor'], ['Zuid', 0.19, 'rich'], ['Oost', 0.18, 'city']] },
      { code: 'GM0599', name: 'Rotterdam', weight: 3.8, districts: [['Zuid', 0.33, 'zuid'], ['Noord', 0.15, 'city'], ['Centrum', 0.1, 'city'], ['Kralingen-Crooswijk', 0.15, 'city'], ['Hillegersberg-Schiebroek', 0.12, 'rich'], ['Delfshaven', 0.15, 'poor']] },
      { code: 'GM0518', name: "'s-Gravenhage", weight: 3.2, districts: [['Escamp', 0.25, 'poor'], ['Centrum', 0.2, 'city'], ['Scheveningen', 0.2, 'rich'], ['Laak', 0.15, 'poor'], ['Loosduinen', 0.2, 'average']] },
      { code: 'GM0344', name: 'Utrecht', weight: 2.2, districts: [['Overvecht', 0.2, 'poor'], ['Binnenstad', 0.2, 'rich'], ['Leidsche Rijn', 0.3, 'average'], ['Zuidwest', 0.3, 'city']] },
    ],
  },
  {
    code: 'RG-NOORD', name: 'Noord-Nederland', municipalities: [
      { code: 'GM0014', name: 'Groningen', weight: 4.0 },
      { code: 'GM0080', name: 'Leeuwarden', weight: 3.4 },
      { code: 'GM0114', name: 'Emmen', weight: 2.6 },
      { code: 'GM0106', name: 'Assen', weight: 2.0 },
    ],
  },
  {
    code: 'RG-OOST', name: 'Oost-Nederland', municipalities: [
      { code: 'GM0193', name: 'Zwolle', weight: 4.0 },
      { code: 'GM0153', name: 'Enschede', weight: 4.2 },
      { code: 'GM0202', name: 'Arnhem', weight: 4.4 },
      { code: 'GM0268', name: 'Nijmegen', weight: 4.4 },
      { code: 'GM0200', name: 'Apeldoorn', weight: 3.6 },
    ],
  },
  {
    code: 'RG-WEST', name: 'West-Nederland', municipalities: [
      { code: 'GM0392', name: 'Haarlem', weight: 4.6 },
      { code: 'GM0546', name: 'Leiden', weight: 4.2 },
      { code: 'GM0505', name: 'Dordrecht', weight: 3.8 },
      { code: 'GM0034', name: 'Almere', weight: 4.2 },
      { code: 'GM0513', name: 'Gouda', weight: 2.6 },
      { code: 'GM0503', name: 'Delft', weight: 3.0 },
    ],
  },
  {
    code: 'RG-ZUID', name: 'Zuid-Nederland', municipalities: [
      { code: 'GM0772', name: 'Eindhoven', weight: 5.0 },
      { code: 'GM0855', name: 'Tilburg', weight: 4.6 },
      { code: 'GM0758', name: 'Breda', weight: 4.4 },
      { code: 'GM0935', name: 'Maastricht', weight: 3.6 },
      { code: 'GM0796', name: "'s-Hertogenbosch", weight: 4.0 },
    ],
  },
];

export interface AreaRow { readonly area: string; readonly name: string; readonly parent: string }

export interface Region { readonly code: string; readonly name: string; readonly index: number }
export interface Municipality { readonly code: string; readonly name: string; readonly region: Region; readonly index: number; readonly weight: number }
export interface District {
  readonly code: string;
  readonly name: string;
  readonly municipality: Municipality;
  readonly profile: DistrictProfile;
  readonly weight: number;
  readonly afstroomFactor: number;
  /** PARAMETERS.areas.abilityShift of the district and its municipality, added. */
  readonly abilityShift: number;
  readonly index: number;
}

export interface Geography {
  readonly areas: readonly AreaRow[];
  readonly regions: readonly Region[];
  readonly municipalities: readonly Municipality[];
  readonly districts: readonly District[];
  /** Districts per municipality index. */
  readonly districtsOf: readonly (readonly District[])[];
  /** Cumulative district weights (normalised to 1) for drawing a residence. */
  readonly cumulative: Float64Array;
}

export function buildGeography(params: Parameters = PARAMETERS): Geography {
  const areas: AreaRow[] = [{ area: 'NL', name: 'Nederland', parent: '' }];
  const regions: Region[] = [];
  const municipalities: Municipality[] = [];
  const districts: District[] = [];
  for (const r of REGIONS) {
    const region: Region = { code: r.code, name: r.name, index: regions.length };
    regions.push(region);
    areas.push({ area: r.code, name: r.name, parent: 'NL' });
    for (const m of r.municipalities) {
      const municipality: Municipality = { code: m.code, name: m.name, region, index: municipalities.length, weight: m.weight };
      municipalities.push(municipality);
      areas.push({ area: m.code, name: m.name, parent: r.code });
      (m.districts ?? TOWN).forEach(([name, share, profile], i) => {
        const code = `WK${m.code.slice(2)}${String(i + 1).padStart(2, '0')}`;
        districts.push({
          code, name: `${m.name} ${name}`, municipality, profile: params.areas.profiles[profile], weight: m.weight * share,
          afstroomFactor: code === params.areas.zuid.district ? params.areas.zuid.afstroomFactor : 1,
          abilityShift: (params.areas.abilityShift[code] ?? 0) + (params.areas.abilityShift[m.code] ?? 0), index: districts.length,
        });
        areas.push({ area: code, name: `${m.name} ${name}`, parent: m.code });
      });
    }
  }
  const total = districts.reduce((s, d) => s + d.weight, 0);
  const cumulative = new Float64Array(districts.length);
  let acc = 0;
  districts.forEach((d, i) => { acc += d.weight / total; cumulative[i] = acc; });
  cumulative[districts.length - 1] = 1;
  const districtsOf = municipalities.map((m) => districts.filter((d) => d.municipality === m));
  return { areas, regions, municipalities, districts, districtsOf, cumulative };
}

/** The district at cumulative position u in [0, 1). */
export function districtAt(geo: Geography, u: number): District {
  let lo = 0;
  let hi = geo.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (geo.cumulative[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return geo.districts[lo]!;
}
