//! Text and data renderings of analysis results. Pure functions from values to strings.

pub mod alembic_text;
pub mod diagnostics;
pub mod graph_json;
pub mod graph_layout;
pub mod html;
pub mod sql_plan;
