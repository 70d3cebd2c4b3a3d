import { printSchema } from 'graphql';
import { schema } from './index.js';

/** The SDL committed as schema.graphql, in definition order. */
export const printSchemaFile = () =>
  `# Generated from the Pothos schema by \`npm run schema\`; do not edit.\n\n${printSchema(schema)}\n`;
