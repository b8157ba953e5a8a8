export {
  Cluster,
  STARTUP_LIMIT_MS,
  freePort,
  type ClusterOptions,
  type Service,
} from './processes.js';
