//! Text and data renderings of analysis results. Pure functions from values to strings.

pub mod alembic_text;
pub mod diagnostics;
pub mod sql_plan;
