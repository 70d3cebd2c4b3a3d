import { createHash, createPublicKey, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';
import type { AuthConfig } from '../config.js';
import { ErrorCode, StateError } from '../errors.js';
import { isValidId } from '../validate.js';
import type { Caller } from './caller.js';

export type Authenticate = (authorization: unknown) => Promise<Caller>;

/**
 * The token of graphql-ws `connectionParams`: `authorization`, or
 * `Authorization` as GraphiQL's Headers editor (merged into them) writes it.
 */
export const connectionAuthorization = (params: Readonly<Record<string, unknown>> | undefined) =>
  params?.authorization ?? params?.Authorization;

/** UNAUTHENTICATED with HTTP 401; the message never repeats the token. */
export const unauthenticated = (message: string) => {
  const error = new StateError(ErrorCode.UNAUTHENTICATED, message);
  Object.assign(error.extensions, { http: { status: 401 } });
  return error;
};

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Turns an `Authorization: Bearer …` value into a caller. Service tokens are
 * compared in constant time (as SHA-256 digests, so lengths do not leak);
 * anything else must be a user JWT signed with the configured key.
 */
export function createAuthenticator(auth: AuthConfig): Authenticate {
  if (!auth.enabled) return async () => ({ kind: 'open' });

  const services = [...auth.serviceTokens].map(([name, token]) => ({ name, digest: digest(token) }));
  let key: KeyObject | null = null;
  let algorithms: string[] = [];
  if (auth.jwtSecret) {
    key = createSecretKey(Buffer.from(auth.jwtSecret, 'utf8'));
    algorithms = ['HS256'];
  } else if (auth.jwtPublicKey) {
    key = createPublicKey(auth.jwtPublicKey);
    algorithms = key.asymmetricKeyType === 'ec' ? ['ES256'] : ['RS256'];
  }

  return async (authorization) => {
    if (authorization === undefined || authorization === null || authorization === '') {
      throw unauthenticated('missing token: send Authorization: Bearer <token>');
    }
    const match = typeof authorization === 'string' ? /^Bearer ([\x21-\x7e]{1,8192})$/.exec(authorization) : null;
    if (!match) throw unauthenticated('malformed Authorization: expected Bearer <token>');
    const token = match[1]!;

    const presented = digest(token);
    // Every service is compared so the time taken does not say which one matched.
    let service: string | null = null;
    for (const s of services) if (timingSafeEqual(s.digest, presented)) service = s.name;
    if (service) return { kind: 'service', name: service };

    if (!key) throw unauthenticated('invalid token');
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms,
        issuer: auth.jwtIssuer,
        audience: auth.jwtAudience,
        requiredClaims: ['sub', 'exp'],
      });
      const guilds = payload.guilds ?? [];
      if (!isValidId(payload.sub) || !Array.isArray(guilds) || !guilds.every(isValidId)) {
        throw unauthenticated('invalid token claims: sub must be a user id and guilds a list of guild ids');
      }
      return { kind: 'user', userId: payload.sub, guildIds: new Set(guilds as string[]) };
    } catch (error) {
      if (error instanceof StateError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw unauthenticated('token expired');
      throw unauthenticated('invalid token');
    }
  };
}
