import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A delivery of two learners, KEEP and GONE (the one an erasure test removes), in one school each year. */
const FILES = {
  'learners.csv': ['learner_id,birth_month,gender,valid_from,pupil_weight,parental_education,migration_background,area', 'KEEP,2000-05,m,2000-05-01,0,high,none,NL', 'GONE,2000-07,f,2000-07-01,1.2,low,none,NL'],
  'advice.csv': ['learner_id,school_year,issued_on,po_school,kind,level,test_score', 'KEEP,2011-2012,2012-03-01,01PO,final,havo,', 'GONE,2011-2012,2012-03-01,01PO,final,vwo,'],
  'enrollments.csv': [
    'learner_id,school_year,reference_date,sector,institution,branch,level,grade,programme,track',
    'KEEP,2012-2013,2012-10-01,vo,10AA,,havo,1,,', 'KEEP,2013-2014,2013-10-01,vo,10AA,,havo,2,,',
    'GONE,2012-2013,2012-10-01,vo,10AA,,vwo,1,,', 'GONE,2013-2014,2013-10-01,vo,10AA,,havo,2,,',
  ],
};

/** Writes the delivery into `dir` (created) and returns it. */
export function writeTwoLearners(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, lines] of Object.entries(FILES)) writeFileSync(join(dir, name), lines.join('\n') + '\n');
  return dir;
}
