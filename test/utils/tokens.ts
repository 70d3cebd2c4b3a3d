import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { loadConfig, type AuthConfig } from '../../src/config.js';

export const SERVICE_TOKEN = 'svc-chat-0123456789abcdef';
export const OTHER_SERVICE_TOKEN = 'svc-signal-0123456789abcdef';
export const JWT_SECRET = 'test-secret-0123456789abcdef0123456789';

/** Auth settings as the environment would give them. */
export const authConfig = (env: Record<string, string> = {}): AuthConfig =>
  loadConfig({
    SERVICE_TOKENS: `chat:${SERVICE_TOKEN},signaling:${OTHER_SERVICE_TOKEN}`,
    JWT_SECRET,
    ...env,
  }).auth;

export interface UserClaims {
  sub: string;
  guilds?: unknown;
  /** Seconds from now; negative for an expired token. @default 3600 */
  expiresIn?: number;
  issuer?: string;
  audience?: string;
  secret?: string;
}

export async function userToken({ sub, guilds = [], expiresIn = 3600, issuer, audience, secret = JWT_SECRET }: UserClaims) {
  let jwt = new SignJWT({ guilds: guilds as string[] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn);
  if (issuer) jwt = jwt.setIssuer(issuer);
  if (audience) jwt = jwt.setAudience(audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** A key pair for RS256/ES256 user tokens: the PEM for JWT_PUBLIC_KEY and a signer. */
export async function asymmetricKeys(alg: 'RS256' | 'ES256') {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  return {
    publicPem: await exportSPKI(publicKey),
    sign: (sub: string, guilds: string[]) =>
      new SignJWT({ guilds }).setProtectedHeader({ alg }).setSubject(sub).setExpirationTime('1h').sign(privateKey),
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
