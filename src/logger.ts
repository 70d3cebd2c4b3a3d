export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** One JSON object per line on stdout, so log shippers need no parsing rules. */
export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stdout.write(line)): Logger {
  const emit = (at: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (rank[at] < rank[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: at, msg, ...fields }) + '\n');
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
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
