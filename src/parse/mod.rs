//! Readers that turn source files into the revision model.

pub mod env_py;
pub mod guard;
pub mod ops_reader;
pub mod py_eval;
pub mod python_const;
pub mod revision_script;
