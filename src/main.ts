import { buildApp } from './app.js';
import { ConfigError, loadConfig, settingWarnings } from './config.js';
import { createLogger } from './logger.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`state-server: invalid configuration: ${error.message}`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  for (const warning of settingWarnings()) logger.warn(warning);
  const app = await buildApp(config, { logger });
  const { url } = await app.start();
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
