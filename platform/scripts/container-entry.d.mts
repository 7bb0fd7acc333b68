export declare const RUNNERS: Record<'http' | 'event' | 'clock', { from: string; fn: string }>;
export declare function containerEntrySource(name: string, kind: string): string;
