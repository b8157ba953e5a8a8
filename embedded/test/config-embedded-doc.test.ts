// docs/config.md's embedded table is the engine's own schema's variables, defaults and meanings.
import { configDocSuite } from '@fanfare/fanout/testing';
import { embeddedVariables } from '../src/config.js';

configDocSuite('### Embedded only (`embedded/src/config.ts`)', embeddedVariables());
