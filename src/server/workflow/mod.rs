//! Redemption workflows: compile (TypeScript → JavaScript, `compile`) and run in a sandbox
//! (`runtime`). The sandbox has the ECMAScript built-ins, a captured `console`, and the
//! integrations it is handed; no files, network, timers or modules.
pub mod compile;
pub mod runtime;

pub use compile::{CompileError, Compiled, compile};
pub use runtime::{Engine, Host, Limits, RunOutcome, WorkflowFailure, WorkflowResult};
