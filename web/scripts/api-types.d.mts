/** The repository root. */
export declare const root: string;
/** web/lib/api-types.gen.ts, absolute. */
export declare const typesFile: string;
/** An OpenAPI document as the TypeScript text of web/lib/api-types.gen.ts. */
export declare function renderApiTypes(document: unknown): Promise<string>;
