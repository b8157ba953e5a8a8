// docs/config.md's launcher table is the schema's variables, defaults and meanings.
import { configDocSuite } from '@fanfare/fanout/testing';
import { clusterVariables } from './config.js';

configDocSuite('## Cluster launcher (`cluster/src/config.ts`', clusterVariables());
