/** @gatehouse/server — starting Gatehouse in-process (tests, embedding). */
export { configFromEnv, type ServerConfig } from './config.js';
export { type DemoSeed, seedDemo } from './demo.js';
export { type RunningServer, startServer } from './server.js';
