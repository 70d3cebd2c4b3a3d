import { builder } from './builder.js';
import './scalars.js';
import './presence.js';
import './status.js';
import './voice.js';
import './study.js';
import './rooms.js';
import './nodes.js';

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

export const schema = builder.toSchema({ sortSchema: false });
