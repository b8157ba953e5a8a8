export { Cluster, STARTUP_LIMIT_MS, type ClusterOptions, type Service } from './processes.js';
export {
  loadClusterConfig,
  clusterVariables,
  CLUSTER_VARIABLES,
  type ClusterConfig,
} from './config.js';
