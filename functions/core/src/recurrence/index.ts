export * from './describe.ts';
export * from './next-due.ts';
export * from './occurrences.ts';
export * from './rule.ts';
export * from './series-schemas.ts';
