/**
 * Credential values must never appear in a log line, an error message or a
 * crash report. A Redactor knows the secret strings of one scope (the process,
 * or a session below it) and masks every occurrence. The process scope keeps
 * the most recent secrets (bounded), because a stray error can surface after
 * the session that carried the secret has ended. The userinfo of any URL
 * (`https://user:key@host`) is masked too, known or not: clients print their
 * base URL in errors, and a key pasted there is a secret nobody registered.
 */
const MIN_SECRET_LENGTH = 4;
const MASK = "[REDACTED]";
const DEFAULT_CAPACITY = 1000;
/** scheme://userinfo@ : the userinfo is masked whole (user names in URLs are often keys themselves). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;

export class Redactor {
  // Insertion-ordered: the oldest secret is forgotten first when full.
  private readonly secrets = new Map<string, true>();
  private sorted?: string[];

  constructor(
    private readonly parent?: Redactor,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  /** Registers every string credential value (and its URL-encoded form). */
  addCredentials(credentials: Record<string, unknown>): void {
    for (const value of Object.values(credentials)) if (typeof value === "string") this.addSecret(value);
  }

  /** Registers one secret; values shorter than 4 characters are not masked (they would mask ordinary words). */
  addSecret(value: string): void {
    const trimmed = value.trim();
    if (trimmed.length < MIN_SECRET_LENGTH) return;
    this.remember(trimmed);
    const encoded = encodeURIComponent(trimmed);
    if (encoded !== trimmed) this.remember(encoded);
  }

  redact(text: string): string {
    let result = text;
    this.sorted ??= [...this.secrets.keys()].sort((a, b) => b.length - a.length);
    // Longest first, so a secret that contains another is masked whole.
    for (const secret of this.sorted) {
      if (result.includes(secret)) result = result.split(secret).join(MASK);
    }
    if (this.parent) return this.parent.redact(result);
    return result.replace(URL_USERINFO, `$1${MASK}@`);
  }

  private remember(secret: string): void {
    if (this.secrets.has(secret)) {
      this.secrets.delete(secret);
      this.secrets.set(secret, true);
      return;
    }
    this.secrets.set(secret, true);
    if (this.secrets.size > this.capacity) this.secrets.delete(this.secrets.keys().next().value!);
    this.sorted = undefined;
  }
}
