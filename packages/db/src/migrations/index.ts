/** The migrations, listed statically so they run the same from src (tsx, vitest) and dist. */
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_initial.js';
import * as m0002Invitations from './0002_invitations.js';
import * as m0003DirectoryAudit from './0003_directory_audit.js';
import * as m0004Scim from './0004_scim.js';
import * as m0005SnapshotJournal from './0005_snapshot_journal.js';
import * as m0006Sessions from './0006_sessions.js';
import * as m0007JobClaims from './0007_job_claims.js';
import * as m0008ScimEmailsIndex from './0008_scim_emails_index.js';
import * as m0009LoginFailures from './0009_login_failures.js';
import * as m0010MemberLastLogin from './0010_member_last_login.js';
import * as m0011AuditCanonicalText from './0011_audit_canonical_text.js';
import * as m0012EmailSecrets from './0012_email_secrets.js';
import * as m0013ScopeAvatar from './0013_scope_avatar.js';
import * as m0014Presets from './0014_presets.js';
import * as m0015Domains from './0015_domains.js';
import * as m0016Sso from './0016_sso.js';
import * as m0017SsoSaml from './0017_sso_saml.js';
import * as m0018PasswordResets from './0018_password_resets.js';
import * as m0019Mfa from './0019_mfa.js';
import * as m0020SamlMetadataUrl from './0020_saml_metadata_url.js';
import * as m0021OrgAuditHead from './0021_org_audit_head.js';
import * as m0023JournalRows from './0023_journal_rows.js';
import * as m0024JournalAssignees from './0024_journal_assignees.js';
import * as m0025JournalSeq from './0025_journal_seq.js';
import * as m0026JournalRowsByKind from './0026_journal_rows_by_kind.js';
import * as m0027JournalKeyLookups from './0027_journal_key_lookups.js';

/** Every migration by name, in order. */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_invitations': m0002Invitations,
  '0003_directory_audit': m0003DirectoryAudit,
  '0004_scim': m0004Scim,
  '0005_snapshot_journal': m0005SnapshotJournal,
  '0006_sessions': m0006Sessions,
  '0007_job_claims': m0007JobClaims,
  '0008_scim_emails_index': m0008ScimEmailsIndex,
  '0009_login_failures': m0009LoginFailures,
  '0010_member_last_login': m0010MemberLastLogin,
  '0011_audit_canonical_text': m0011AuditCanonicalText,
  '0012_email_secrets': m0012EmailSecrets,
  '0013_scope_avatar': m0013ScopeAvatar,
  '0014_presets': m0014Presets,
  '0015_domains': m0015Domains,
  '0016_sso': m0016Sso,
  '0017_sso_saml': m0017SsoSaml,
  '0018_password_resets': m0018PasswordResets,
  '0019_mfa': m0019Mfa,
  '0020_saml_metadata_url': m0020SamlMetadataUrl,
  '0021_org_audit_head': m0021OrgAuditHead,
  '0023_journal_rows': m0023JournalRows,
  '0024_journal_assignees': m0024JournalAssignees,
  '0025_journal_seq': m0025JournalSeq,
  '0026_journal_rows_by_kind': m0026JournalRowsByKind,
  '0027_journal_key_lookups': m0027JournalKeyLookups,
};
