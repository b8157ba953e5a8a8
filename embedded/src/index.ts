export { startEngine, type Engine, type EngineOptions } from './engine.js';
export {
  EMBEDDED_VARIABLES,
  embeddedVariables,
  loadEngineConfig,
  type EngineConfig,
} from './config.js';
