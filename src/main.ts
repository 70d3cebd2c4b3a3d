import { buildApp } from './app.js';
import { ConfigError, loadConfig, settingWarnings } from './config.js';
import { createLogger } from './logger.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // The logger needs the configuration: this one line is written as it would write it.
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'invalid configuration', error: error.message }) + '\n');
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  for (const warning of settingWarnings()) logger.warn(warning);
  const app = await buildApp(config, { logger });
  let url: string;
  try {
    ({ url } = await app.start());
  } catch (error) {
    // A port in use, an address not on this machine: one line and a non-zero exit, no stack trace.
    logger.error('cannot start', { error: error instanceof Error ? error.message : String(error), host: config.host, port: config.port });
    await app.stop().catch(() => {});
    process.exit(1);
  }
  logger.info('state-server listening', { url, engine: app.state.engine, keyPrefix: config.keyPrefix });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

void main();
