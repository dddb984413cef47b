/**
 * Credential values must never appear in a log line, an error message or a
 * crash report. A Redactor knows the secret strings of one scope (a session,
 * or the process) and masks every occurrence.
 */
const MIN_SECRET_LENGTH = 4;
const MASK = "[REDACTED]";

export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(private readonly parent?: Redactor) {}

  /** Registers every string credential value (and its URL-encoded form). */
  addCredentials(credentials: Record<string, unknown>): void {
    for (const value of Object.values(credentials)) {
      if (typeof value !== "string") continue;
      const trimmed = value.trim();
      if (trimmed.length < MIN_SECRET_LENGTH) continue;
      this.secrets.add(trimmed);
      const encoded = encodeURIComponent(trimmed);
      if (encoded !== trimmed) this.secrets.add(encoded);
    }
  }

  redact(text: string): string {
    let result = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (result.includes(secret)) result = result.split(secret).join(MASK);
    }
    return this.parent ? this.parent.redact(result) : result;
  }
}
