//! Readers that turn source files into the revision model.

pub mod env_py;
pub mod python_const;
pub mod revision_script;
