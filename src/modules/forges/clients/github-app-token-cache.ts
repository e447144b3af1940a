/**
 * Installation-token cache for @octokit/auth-app that renews early: auth-app keeps a token for
 * 59 minutes whatever its `expires_at`; this one drops it `renewBeforeMs` before it expires, so
 * a call never goes out with a token about to lapse. Values are auth-app's own
 * `token|createdAt|expiresAt|…` strings.
 */
export class RenewingTokenCache {
  private readonly entries = new Map<string, string>();
  minted = 0;

  constructor(private readonly renewBeforeMs: number) {}

  get(key: string): string | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    const expiresAt = Date.parse(value.split('|')[2] ?? '');
    if (Number.isNaN(expiresAt) || expiresAt - Date.now() <= this.renewBeforeMs) {
      this.entries.delete(key);
      return undefined;
    }
    return value;
  }

  set(key: string, value: string): void {
    this.minted += 1;
    this.entries.set(key, value);
  }
}
