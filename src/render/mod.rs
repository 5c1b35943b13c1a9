//! Text and data renderings of analysis results. Pure functions from values to strings.

pub mod alembic_text;
pub mod diagnostics;
pub mod github;
pub mod graph_json;
pub mod graph_layout;
pub mod html;
pub mod markdown;
pub mod sarif;
pub mod sql_plan;
