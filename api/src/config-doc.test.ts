// docs/config.md's API table is the schema's variables, defaults and meanings.
import { configDocSuite } from '@fanfare/fanout/testing';
import { apiVariables } from './config.js';

configDocSuite('## API (`api/src/config.ts`)', apiVariables());
