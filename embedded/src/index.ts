export { startEngine, type Engine, type EngineOptions } from './engine.js';
export { loadEngineConfig, type EngineConfig } from './config.js';
