/** Shared building blocks of the use cases (grant rules, credential rows, throttles, secrets, people). Not exported from the package. */
export * from './access-rules.js';
export * from './canonical-json.js';
export * from './contains-pattern.js';
export * from './credential-lifecycle.js';
export * from './credential-rows.js';
export * from './grants.js';
export * from './instance-secret.js';
export * from './login-throttle.js';
export * from './move-down.js';
export * from './org-rows.js';
export * from './ownership.js';
export * from './passwords.js';
export * from './people.js';
export * from './personal-org.js';
export * from './presets.js';
export * from './secret-box.js';
export * from './secrets.js';
