import { pino } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

// Keys pino writes itself: a field of the same name is renamed, never overwrites them.
const reserved = new Set(['time', 'level', 'msg', 'pid', 'hostname']);
// Wherever a field names a credential, pino writes [Redacted].
const redact = ['authorization', 'token', 'password', '*.authorization', '*.token', '*.password', 'headers.authorization'];

/**
 * pino, writing one JSON object per line (on stdout, or to `write` in
 * tests): `time` (ISO), `level` (its name), `msg`, then the fields. An
 * `error` field holding an Error is written with its type, message and stack.
 */
export function createLogger(level: LogLevel = 'info', write?: (line: string) => void): Logger {
  const destination = write ? { write } : pino.destination({ dest: 1, sync: true });
  const base = pino(
    {
      level,
      base: undefined,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { error: pino.stdSerializers.err },
      redact: { paths: redact },
    },
    destination,
  );
  const at = (method: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) => {
    if (!base.isLevelEnabled(method)) return;
    if (!fields) return base[method](msg);
    let safe = fields;
    for (const key of Object.keys(fields)) {
      if (!reserved.has(key)) continue;
      if (safe === fields) safe = { ...fields };
      safe[`field_${key}`] = safe[key];
      delete safe[key];
    }
    base[method](safe, msg);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = createLogger('silent');

/** Log lines a client can cause, at most one per key in each window. */
export interface LogThrottle {
  info(key: string, msg: string, fields?: Record<string, unknown>): void;
  warn(key: string, msg: string, fields?: Record<string, unknown>): void;
  error(key: string, msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Writes the first line of each key in a window of `windowMs` and holds back
 * the rest; the next line written for that key says how many were held back.
 * For lines any client can trigger (bad frames, protocol errors), so that no
 * client can flood the logs.
 */
export function throttleLog(logger: Logger, windowMs = 10_000, now = () => Date.now()): LogThrottle {
  const windows = new Map<string, { until: number; held: number }>();
  const at = (level: 'info' | 'warn' | 'error') => (key: string, msg: string, fields?: Record<string, unknown>) => {
    const t = now();
    const window = windows.get(key);
    if (window && t < window.until) {
      window.held++;
      return;
    }
    if (windows.size > 1_000) windows.clear(); // keys are a fixed set; this only bounds a mistake
    windows.set(key, { until: t + windowMs, held: 0 });
    logger[level](msg, window?.held ? { ...fields, heldBack: window.held } : fields);
  };
  return { info: at('info'), warn: at('warn'), error: at('error') };
}
