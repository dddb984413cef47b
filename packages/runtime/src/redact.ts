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
/** A URL whose authority is still open at the end of a text: its userinfo may follow in the next write. */
const OPEN_URL_USERINFO = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@"'<>]*$/i;
/** Userinfo longer than this in a partial line is not waited for (nobody's key is that long). */
const MAX_PENDING_USERINFO_CHARS = 4096;

export class Redactor {
  // Insertion-ordered: the oldest secret is forgotten first when full. The value is when it was last moved to the end.
  private readonly secrets = new Map<string, number>();
  /** Values given to addSecret lately, as given (before trimming and encoding): most requests repeat them. */
  private readonly given = new Map<string, number>();
  /** Counts additions; a secret moved to the end less than capacity/2 additions ago is not moved again. */
  private additions = 0;
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
    if (this.isFresh(this.given, value)) return;
    this.store(this.given, value);
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

  /**
   * How many characters at the end of `text` could begin a secret, or a URL's userinfo, that the next write
   * completes. A stream writer flushing a partial line holds them back, so a secret split across writes is masked.
   */
  pendingSuffixLength(text: string): number {
    let longest = this.parent?.pendingSuffixLength(text) ?? 0;
    for (const secret of this.secrets.keys()) {
      for (let length = Math.min(secret.length - 1, text.length); length > longest; length--) {
        if (text.endsWith(secret.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    const userinfo = OPEN_URL_USERINFO.exec(text.slice(-MAX_PENDING_USERINFO_CHARS));
    return Math.max(longest, userinfo?.[0].length ?? 0);
  }

  private remember(secret: string): void {
    if (this.isFresh(this.secrets, secret)) return;
    const known = this.secrets.has(secret);
    this.store(this.secrets, secret);
    if (!known) this.sorted = undefined;
  }

  /**
   * Moved to the end recently enough that at least capacity/2 more additions must follow before it is forgotten,
   * so a secret in use is never dropped, and a request repeating known secrets changes nothing.
   */
  private isFresh(entries: Map<string, number>, key: string): boolean {
    const stamp = entries.get(key);
    return stamp !== undefined && this.additions - stamp < this.capacity / 2;
  }

  private store(entries: Map<string, number>, key: string): void {
    entries.delete(key);
    entries.set(key, ++this.additions);
    if (entries.size > this.capacity) entries.delete(entries.keys().next().value!);
  }
}
