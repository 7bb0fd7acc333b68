export declare const RUNNERS: Record<
  'http' | 'event' | 'clock' | 'gateway',
  { from: string; fn: string; app?: false }
>;
export declare function containerEntrySource(
  name: string,
  kind: string,
  opts?: { snapshot?: boolean },
): string;
export declare function snapshotEntrySource(imports: string, start: string): string;
