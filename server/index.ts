/**
 * pol's decision service: `buildApp(config)` (a fastify instance, tested with `inject`),
 * `startServer(config)` (listening), and the configuration loader.
 */
export { buildApp, type PolServer, type BuildOptions } from './app.js';
export { startServer, type RunningServer, type StartOptions } from './main.js';
export { defaultConfig, resolveConfig, loadConfigFile, parseAddr, openGeoDatabase, ConfigError, CONFIG_SCHEMA, DEFAULT_ADDR, type ServerConfig, type ConfigInput, type BundleConfig, type ProxyAuthConfig } from './config.js';
export { HttpError, ERRORS, type ErrorCode, type ErrorBody } from './errors.js';
export { PolicyStore, BundlePoller, signBundle, verifyBundle, readTarGz, writeTarGz, type Generation, type LoadError } from './policy-store/index.js';
export { DecisionService, DecisionError, type Decision, type DecideOptions } from './decision/service.js';
export { DecisionLog, DecisionLogOpenError, type DecisionRecord, type DecisionLogOptions } from './audit/decision-log.js';
export { interpret, type Verdict } from './decision/interpret.js';
