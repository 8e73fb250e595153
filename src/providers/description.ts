// What whoami and `cache list` show for a cached entry (CredentialProvider.describe). Kept beside
// the provider interface; the same shape as CredentialDescription in types.ts after the refactor.
export interface CredentialDescription {
  /** Issuer URL, Keystone auth URL, API server: where the credential comes from. */
  source?: string;
  /** Short one-line identity for tables. */
  summary: string;
  /** Ordered fields for whoami (`user`, `email`, `groups`, `project`, `roles`, `certificate CN`, …). */
  fields: Array<[string, string | string[]]>;
}
