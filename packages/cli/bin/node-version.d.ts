export declare const supportedNode: string;
/** Why this Node version cannot run dify-ts, or undefined when it can. */
export declare function unsupportedNode(version: string): string | undefined;
