export { Cluster, STARTUP_LIMIT_MS, type ClusterOptions, type Service } from './processes.js';
