/** Password login, user sessions and their end. */
export * from './authenticate.js';
export * from './end.js';
export * from './issue.js';
export * from './list.js';
export * from './login.js';
export * from './logout.js';
export * from './revoke.js';
export * from './sweep.js';
export * from './view.js';
export * from './who-am-i.js';
