import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

describe('scope declarations', () => {
  it('declares authScopes on every root field, so no field is open by omission', () => {
    const missing: string[] = [];
    for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
      for (const field of Object.values(type!.getFields())) {
        const options = (field.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions;
        if (!options?.authScopes) missing.push(`${type!.name}.${field.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('keeps every mutation for services', () => {
    for (const field of Object.values(schema.getMutationType()!.getFields())) {
      const options = (field.extensions as { pothosOptions: { authScopes: unknown } }).pothosOptions;
      expect(options.authScopes, field.name).toEqual({ service: true });
    }
  });
});
