// docs/config.md's gateway table is the schema's variables, defaults and meanings.
import { configDocSuite } from '@fanfare/fanout/testing';
import { gatewayVariables } from './config.js';

configDocSuite('## Gateway (`gateway/src/config.ts`)', gatewayVariables());
