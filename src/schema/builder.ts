import SchemaBuilder from '@pothos/core';
import type { StateService } from '../state/service.js';

/** What every resolver receives. */
export interface Context {
  state: StateService;
}

/** The builder only; types live in the domain files next to it. */
export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    /** Epoch milliseconds inside, ISO 8601 on the wire. */
    DateTime: { Input: number; Output: number };
    /** A study day, `YYYY-MM-DD`. */
    Date: { Input: string; Output: string };
  };
}>({
  defaultFieldNullability: false,
});
